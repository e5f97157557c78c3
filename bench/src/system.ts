/** Facts about the machine a result was measured on. */
import * as os from "node:os";

export function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  load1AtStart: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    load1AtStart: loadAverage(),
  };
}
