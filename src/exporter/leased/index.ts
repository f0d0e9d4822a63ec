export { type LeasedExporter, type LeasedExporterOptions, startLeasedExporter } from "./agent.ts";
