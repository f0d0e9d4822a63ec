// Registers the built-in driver types and their clients.
import "./power/index.ts";
import "./command-power/index.ts";
import "./shell/index.ts";
import "./qemu/index.ts";
import "./tftp/index.ts";
import "./http/index.ts";
import "./serial/index.ts";
import "./uboot/index.ts";
