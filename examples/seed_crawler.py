#!/usr/bin/python3
"""The seed's crawler, as asyncio users write it: aiohttp's ClientSession and gather over a list
of URLs (aiohttp's default connector allows 100 connections at once, so 100 are in flight).
The demo runs it beside tools/crawl and examples/thread_crawler on the same local site.
Usage: seed_crawler.py FILE   (URLs one a line). Prints one JSON line, as thread_crawler does."""
import asyncio
import json
import sys
import time

import aiohttp


async def fetch(session, url):
    async with session.get(url) as response:
        body = await response.read()
        return response.status, len(body)


async def main(urls):
    async with aiohttp.ClientSession() as session:
        tasks = [fetch(session, url) for url in urls]
        return await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        urls = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    start = time.monotonic()
    results = asyncio.run(main(urls))
    seconds = time.monotonic() - start
    ok = [r for r in results if not isinstance(r, BaseException) and r[0] == 200]
    print(json.dumps({"requests": len(urls), "ok": len(ok), "errors": len(urls) - len(ok),
                      "bytes": sum(r[1] for r in ok), "seconds": round(seconds, 3)}))
    sys.exit(0 if len(ok) == len(urls) else 1)
