#!/usr/bin/env node
// Regenerates src/protocol/gen from src/protocol/proto: buf (from npm) drives ts-proto, offline.
// The output is deterministic, so re-running it on unchanged protos leaves no diff.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const protoDir = "src/protocol/proto";
const outDir = "src/protocol/gen";

const tsProtoOptions = [
  "outputServices=grpc-js",
  "env=node",
  "esModuleInterop=false",
  "importSuffix=.ts",
  "outputJsonMethods=false",
  "outputPartialMethods=false",
  "exportCommonSymbols=false",
  "forceLong=number",
  "useDate=true",
];

const template = {
  version: "v2",
  clean: true,
  plugins: [
    {
      local: join(root, "node_modules/.bin/protoc-gen-ts_proto"),
      out: outDir,
      opt: tsProtoOptions,
      strategy: "all",
    },
  ],
};

execFileSync(
  join(root, "node_modules/.bin/buf"),
  ["generate", protoDir, "--template", JSON.stringify(template)],
  {
    cwd: root,
    stdio: "inherit",
  },
);

console.log(`proto: regenerated ${outDir} from ${protoDir}`);
