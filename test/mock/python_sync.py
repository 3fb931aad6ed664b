"""A small client sync in another language, as an integration would write it against Ons:
page through the clients with limit/offset until a short page, read a few by id, add a note.
Prints one JSON summary line; exits 1 on the first answer that is not what Ons would send."""
import json
import sys

import requests

base = sys.argv[1]
session = requests.Session()
session.headers.update({"Accept": "application/json", "User-Agent": "python_sync/1.0 (+https://example.com)"})

clients = []
offset = 0
while True:
    page = session.get(f"{base}/v0/administration/clients", params={"limit": 100, "offset": offset}, timeout=10)
    page.raise_for_status()
    entries = page.json()
    clients.extend(entries)
    if len(entries) < 100:
        break
    offset += len(entries)

details = []
for client in clients[:5]:
    answer = session.get(f"{base}/v0/administration/clients/{client['id']}", timeout=10)
    answer.raise_for_status()
    details.append(answer.json()["id"] == client["id"])

note = session.post(f"{base}/v0/administration/clients/{clients[0]['id']}/notes", json={"text": "Synced", "category": "general"}, timeout=10)
refused = session.post(f"{base}/v0/administration/clients/{clients[0]['id']}/notes", json={"category": "general"}, timeout=10)

print(json.dumps({
    "clients": len(clients),
    "unique_ids": len({client["id"] for client in clients}),
    "ids_carried": all(details),
    "note_status": note.status_code,
    "note_client": note.json().get("clientId") == clients[0]["id"],
    "refused_status": refused.status_code,
    "refused_fields": [entry["field"] for entry in refused.json()["errorResponseEntries"]],
    "mock_header": page.headers.get("x-ons-proxy-mock"),
}))
