#!/usr/bin/env bash
# Inside the VM (test/e2e/vm/run.sh): the netlink checks, captures and benchmark (main.ts, bundled
# into $LVS_E2E_OUT/ipvs-netlink.mjs with koffi beside it in $LVS_E2E_OUT/node_modules).
set -u
echo "ipvs-netlink: kernel $(uname -r), node $(node --version), $(ipvsadm --version 2>&1 | head -n 1)"
node "$LVS_E2E_OUT/ipvs-netlink.mjs"
