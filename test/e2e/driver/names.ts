// The checks of the issue "the node agent on a real kernel", by id: the driver reports them in
// results.json and test/e2e/seed.e2e.test.ts turns each into one test of the same name.
export const NAMES: Record<string, string> = {
  '0': '0. topology: each nginx answers on its own address from the client (and the agent bundle loads)',
  '1': "1. the master's ipvsadm -Ln has the virtual service with both real servers (rr, Route, weight 1), the backup the same; only the master holds the VIP; the client's neighbour entry for the VIP is the master's MAC",
  '2': '2. the real servers hold the VIP on lo and have arp_ignore 1 / arp_announce 2',
  '3a': "3a. without persistence, curl -s VIP | grep '<h1>' alternates nginx01/nginx02",
  '3b': '3b. with persistence 5 the client sticks to one real server, and moves on once the template expires',
  '4': "4. the master's ipvsadm -Lnc shows the client's connections spread as the answers were",
  '5a': '5a. crash of the master (agent and keepalived SIGKILLed, link down): the backup holds the VIP and serves',
  '5b': '5b. a TCP connection established before the crash still works after it (connection sync)',
  '5c': "5c. graceful stop of the master's agent (SIGTERM): no failed request with a 2 s timeout",
  '6': "6. a real server's nginx stops: after the detection time no request reaches it; it comes back: traffic returns",
  '7a': '7a. NAT mode serves the client through the VIP',
  '7b': '7b. TUN mode serves the client through the VIP',
  '8': '8. agent restart on the master (SIGUSR2, then a new agent) under a request loop: no failed request, the VIP stays, the IPVS table is unchanged',
  '10': '10. graceful drain: a real server at weight 0, then removed, gets no new connection while an established one goes on; a persistent client moves to the other; the removed one leaves the table once its connections end',
  '11': '11. a scheduler the kernel lacks (twos on Debian 6.1) is reported by name in the status, and the other service on the VIP goes on serving',
  '9': '9. an IPVS service the agent does not own (added by hand on the directors) is left untouched',
};
