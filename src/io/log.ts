// JSON lines on stderr: a constant message and fields, never data in the message, so that log
// pipelines can group by msg.
export type Log = (event: string, fields?: Record<string, unknown>) => void;

export const jsonLog: Log = (event, fields = {}) => {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), msg: event, ...fields }) + '\n');
};
