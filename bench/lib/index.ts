export { cpuTimeIt, percentile, perSecond, summarize, timeIt } from "./measure";
export { type BenchReport, formatNumber, formatTable, RESULTS_DIR, type Row, report } from "./report";
