// The seed's checks against the node agent in local mode on a real kernel with IPVS (test/e2e:
// about 9 min on 2 cores under TCG). See suite.ts.
import { NAMES } from './driver/names.js';
import { e2eSuite } from './suite.js';

e2eSuite('the node agent on a real kernel (seed topology, test/e2e)', NAMES);
