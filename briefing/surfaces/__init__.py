"""The edges: the only code that prints, speaks HTTP, talks to Slack or runs threads.

* `cli.py`    - the `briefing` command (run, daily, model serve, serve, slack);
* `daily.py`  - the daily run: pick the day's articles, brief them, compare, write `<date>.md`/`.json`;
* `files.py`  - atomic writes of the output files;
* `worker.py` - `Briefer`: briefing jobs on a worker thread's event loop, one shared model client;
* `asgi.py`   - what the HTTP service and the Slack app share: body limit, lifespan, health, errors;
* `http.py`   - the HTTP service (FastAPI);
* `slack.py`  - the `/briefing` slash command (slack_bolt, HTTP or Socket Mode).

Nothing in the library imports this package.
"""
