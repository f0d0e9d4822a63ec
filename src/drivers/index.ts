// Registers the built-in driver types and their clients.
import "./power/index.ts";
import "./shell/index.ts";
