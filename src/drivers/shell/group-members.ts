import { readdirSync, readFileSync } from "node:fs";

/** Sends `signal` to every process in the group; a group that is gone or out of reach is left be. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone. EPERM: its remaining members changed user; nothing we can do.
  }
}

/**
 * Whether any process of the group is still running. A zombie does not count: when the init
 * process of a container does not reap orphans, killed members stay zombies forever, and the
 * group still answers signal 0.
 */
export function groupHasRunningMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return procfsAvailable() ? procfsGroupHasRunningMembers(pgid) : true;
}

let hasProcfs: boolean | undefined;
function procfsAvailable(): boolean {
  if (hasProcfs === undefined) {
    try {
      readFileSync("/proc/self/stat", "utf8");
      hasProcfs = true;
    } catch {
      hasProcfs = false;
    }
  }
  return hasProcfs;
}

function procfsGroupHasRunningMembers(pgid: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat && stat.pgrp === pgid && !isDead(stat.state)) return true;
  }
  return false;
}

function isDead(state: string): boolean {
  return state === "Z" || state === "X";
}

/** State and process group from /proc/<pid>/stat; undefined once the process is gone. */
function readStat(pid: string): { state: string; pgrp: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …"; comm may itself contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const [state, , pgrp] = fields;
  return state === undefined || pgrp === undefined ? undefined : { state, pgrp: Number(pgrp) };
}
