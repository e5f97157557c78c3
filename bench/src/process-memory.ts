/**
 * Peak memory of the processes a Pulumi operation starts below this one (the CLI, the Node.js
 * language host, the program, the dynamic provider), read from /proc: each process's own peak
 * (`VmHWM`) and the peak of their sum (`VmRSS` added up at each sample). Linux only.
 */
import * as fs from "node:fs";

export type ProcessRole = "cli" | "language host" | "program" | "provider" | "other";

export interface ProcessMemoryPeaks {
  /** Per role: the largest peak of any one process of that role, and how many there were. */
  roles: Partial<Record<ProcessRole, { peakMiB: number; processes: number }>>;
  /** The largest sum of the resident memory of every process below us at one sample. */
  peakTotalMiB: number;
}

export interface ProcessMemoryWatch {
  stop(): ProcessMemoryPeaks;
}

export function watchProcessMemory(rootPid: number = process.pid, intervalMs = 250): ProcessMemoryWatch {
  const peakByPid = new Map<number, { role: ProcessRole; hwmKiB: number }>();
  let peakTotalKiB = 0;
  const sample = (): void => {
    let totalKiB = 0;
    for (const pid of descendants(rootPid)) {
      const status = read(`/proc/${pid}/status`);
      if (status === undefined) continue;
      const hwm = kib(status, "VmHWM");
      totalKiB += kib(status, "VmRSS");
      const known = peakByPid.get(pid);
      if (known) known.hwmKiB = Math.max(known.hwmKiB, hwm);
      else peakByPid.set(pid, { role: roleOf(read(`/proc/${pid}/cmdline`) ?? ""), hwmKiB: hwm });
    }
    peakTotalKiB = Math.max(peakTotalKiB, totalKiB);
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  sample();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const roles: ProcessMemoryPeaks["roles"] = {};
      for (const { role, hwmKiB } of peakByPid.values()) {
        const r = (roles[role] ??= { peakMiB: 0, processes: 0 });
        r.peakMiB = Math.max(r.peakMiB, Math.round(hwmKiB / 1024));
        r.processes++;
      }
      return { roles, peakTotalMiB: Math.round(peakTotalKiB / 1024) };
    },
  };
}

function roleOf(cmdline: string): ProcessRole {
  const argv = cmdline.split("\0");
  const exe = argv[0]?.split("/").pop() ?? "";
  if (exe === "pulumi") return "cli";
  if (exe === "pulumi-language-nodejs") return "language host";
  if (cmdline.includes("dynamic-provider")) return "provider";
  if (exe === "node" && cmdline.includes("@pulumi/pulumi/cmd/run")) return "program";
  return "other";
}

/** Every process below `root` (children, their children, ...). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(read(`/proc/${entry}/status`) ?? "")?.[1]);
    if (!Number.isFinite(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function kib(status: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined; // the process ended between the listing and the read
  }
}
