// The agent's status as a file on the node (and a JSON line on stdout): local mode's only report,
// and in the cluster a copy of what goes to the LVSNode, readable without the API server.
import { writeFileAtomic } from '../io/write-file-atomic.js';
import type { LVSNodeStatus } from '../core/api/objects.js';

export function writeStatusFile(file: string, status: LVSNodeStatus): void {
  writeFileAtomic(file, JSON.stringify(status, null, 2) + '\n');
  process.stdout.write(JSON.stringify(status) + '\n');
}
