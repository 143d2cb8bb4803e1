"""``python -m tests.deploy.probe PATH...``: GET each path through Django in this process
(its own settings from the environment) and print status and body as JSON."""

import json
import sys

import django

django.setup()

from django.test import Client  # noqa: E402

client = Client(REMOTE_ADDR="127.0.0.1")
answers = {}
for path in sys.argv[1:]:
    response = client.get(path)
    is_json = response["Content-Type"].startswith("application/json")
    answers[path] = {
        "status": response.status_code,
        "body": response.json() if is_json else response.content.decode(),
    }
print(json.dumps(answers))
