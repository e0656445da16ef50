// The parts of Kubernetes ObjectMeta that lvs-operator reads. Kept local so that the pure core
// does not import @kubernetes/client-node.
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  generation?: number;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [key: string]: unknown;
}
