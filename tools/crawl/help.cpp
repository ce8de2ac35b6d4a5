// crawl --help: what a newcomer reads first. The flags listed here are the contract documented
// in tools/crawl/README.md; keep the two in step.
#include "options.hpp"

namespace crawl {

const char* help_text() {
    return R"HELP(crawl: fetch URLs concurrently and write one JSON line per URL.

usage: crawl [options] URL...
       crawl [options] -i FILE        (one URL a line; '-' reads stdin; blank lines and
                                       lines starting with '#' are skipped)

Fetching
  -c, --concurrency N     requests in flight at once (default 100)
      --per-host N        at most N requests in flight per host (default 0: no limit)
      --delay S           at least S seconds between request starts to one host (default 0)
      --timeout S         limit for a whole request, connect to last byte (default 30)
      --connect-timeout S limit for connecting (default: only --timeout applies)
      --read-timeout S    limit between two reads (default: only --timeout applies)
      --retries N         retries after a timeout, refused or reset connection, 429 or 503,
                          with exponential backoff and jitter; Retry-After is honoured,
                          capped at 60 s (default 2)
      --user-agent UA     User-Agent header and robots.txt product (default corio-crawl/1.0)
  -H, --header 'N: V'     extra request header (repeatable)
      --max-body-size B   larger bodies fail with "too large" (default 10485760)
      --max-redirects N   redirects followed per request (default 10)
      --cacert FILE       https: also trust the CA certificates in FILE (PEM), beside the
                          system's store (ca-certificates)
      --insecure          https: INSECURE, check no certificate and no host name: anyone on
                          the path can read and change the traffic (testing only)
  A timeout's clock starts when the request starts, never while it waits for its turn.

Following links
      --depth D           follow links D levels from the given URLs (default 0: none)
      --same-host         follow only links to the page's own host (the default)
      --any-host          follow links to any host
      --max-pages N       write at most N lines, then stop (default 0: no limit)
      --ignore-robots     do not fetch or obey robots.txt (it is obeyed when --depth > 0)
  Links come from <a href>, <area href>, <link rel=next|prev href> in text/html and
  application/xhtml+xml pages (<base href> honoured); each URL is fetched at most once.

Output
  -o, --output FILE       JSON lines to FILE instead of stdout
      --save DIR          store each body in DIR; the line names the file in "saved"
  -q, --quiet             no summary and no progress line on stderr
      --no-progress       no progress line (it is shown only when stderr is a terminal)
  Each line: url, final_url, status, bytes, content_type, elapsed_ms, depth, error,
  retries, links. error is null when the fetch worked (whatever the HTTP status) or a short
  reason: "timeout (connect)", "timeout (read)", "timeout (total)", "dns", "refused",
  "reset", "truncated body", "too large", "too many redirects", "robots disallowed",
  "invalid url", "interrupted", "http 404" (with --fail-on-http-error); for https:
  "TLS: certificate expired", "TLS: certificate not yet valid", "TLS: wrong host",
  "TLS: unknown CA" (see --cacert), "TLS: certificate rejected", "TLS: not a TLS server"
  (plain HTTP on an https URL), "TLS: truncated" (cut without close_notify), "TLS not
  built in" (crawl built without TLS).

Splitting a crawl
      --shard K/N         keep only URLs whose host hashes to K of N: FNV-1a 64 of the
                          lower-case host, mod N (start list and discovered links alike)
      --shard auto/N      K from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)
      --handoff FILE      links to other shards go to FILE as JSON lines
                          {"url":...,"depth":...,"from":...} instead of being fetched
      --threads T         T event loops in this process, hosts split among them

Exit status
  0  every URL was fetched (an HTTP error status such as 404 or 500 still counts as fetched)
  1  some URL failed (network error, timeout, robots, interrupted...); with
     --fail-on-http-error a status of 400 or more counts as a failure too
  2  usage error (message on stderr, nothing on stdout)
  Ctrl-C once: no new requests; running ones finish, queued URLs get error "interrupted",
  the summary is written. Twice: exit at once.

Examples
  crawl -i urls.txt -c 200 -o results.jsonl
      fetch every URL in urls.txt, 200 at a time
  crawl --depth 2 --per-host 4 https://example.org/
      a site to depth 2, politely (robots.txt obeyed, 4 requests at a time)
  seq 0 7 | parallel crawl --depth 3 --shard {}/8 --handoff handoff-{}.jsonl \
      -o out-{}.jsonl -i seeds.txt
      one crawl split over 8 processes or machines with no coordination
)HELP";
}

}  // namespace crawl
