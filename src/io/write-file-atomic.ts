// Files that others read while we rewrite them (the agent's state, the plan kept for a restart,
// the status file a script polls) are written to a temporary file beside them and renamed over
// them: rename is atomic within a file system, so a reader, or the agent after a crash, sees the
// old text or the new one, never half of it.
import { renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}
