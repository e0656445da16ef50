// The agent's status as a file on the node (and a JSON line on stdout): local mode's only report,
// and in the cluster a copy of what goes to the LVSNode, readable without the API server.
import { renameSync, writeFileSync } from 'node:fs';
import type { LVSNodeStatus } from '../core/api/objects.js';

export function writeStatusFile(file: string, status: LVSNodeStatus): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(status, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
  process.stdout.write(JSON.stringify(status) + '\n');
}
