// Registers the built-in driver types and their clients.
import "./power/index.ts";
