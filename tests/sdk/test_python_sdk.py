"""The official ComplyCube Python SDK (complycube==1.1.8), unchanged, against a running Clearance.

Run through tests/sdk/run.sh, which starts `clearance serve` on a free port and exports
CLEARANCE_URL, CLEARANCE_TEST_KEY and CLEARANCE_LIVE_KEY.
"""

import base64
import json
import os
import pathlib
import uuid

import complycube
import pytest
from complycube import ComplyCubeClient
from complycube.error import ComplyCubeAPIError

complycube._base_url = os.environ["CLEARANCE_URL"] + "/v1"


@pytest.fixture(scope="module")
def cc():
    return ComplyCubeClient(api_key=os.environ["CLEARANCE_TEST_KEY"])


@pytest.fixture(scope="module")
def live():
    return ComplyCubeClient(api_key=os.environ["CLEARANCE_LIVE_KEY"])


def person(cc, last="Lovelace", **extra):
    return cc.clients.create(
        type="person",
        email=f"ada.{uuid.uuid4().hex[:8]}@example.org",
        personDetails={"firstName": "Ada", "lastName": last, "dob": "1985-12-10", "nationality": "GB"},
        **extra,
    )


def test_clients_create_get_update_delete(cc):
    client = person(cc, metadata={"segment": "retail"})
    assert len(client.id) == 24
    assert client.entity_name == "Ada Lovelace"
    assert client.person_details.first_name == "Ada"
    assert client.metadata == {"segment": "retail"}

    fetched = cc.clients.get(client.id)
    assert fetched.email == client.email

    updated = cc.clients.update(client.id, personDetails={"middleName": "King"}, mobile="+44 7700 900123")
    assert updated.person_details.first_name == "Ada"
    assert updated.person_details.middle_name == "King"
    assert updated.mobile == "+44 7700 900123"

    _, status = cc.clients.delete(client.id)
    assert status == 204
    with pytest.raises(ComplyCubeAPIError, match="Invalid client id"):
        cc.clients.get(client.id)


def test_company_client_and_filters(cc):
    name = f"Northwind {uuid.uuid4().hex[:6]}"
    company = cc.clients.create(
        type="company",
        email="compliance@northwind.example",
        companyDetails={"name": name, "incorporationCountry": "GB", "incorporationType": "private_limited_company"},
    )
    found = cc.clients.list(companyDetails={"name": name})
    assert [c.id for c in found.items] == [company.id]
    assert found.total_items == 1 and found.pages == 1


def test_validation_errors_raise_with_the_message(cc):
    with pytest.raises(ComplyCubeAPIError, match="personDetails"):
        cc.clients.create(type="person", email="a@example.org")
    with pytest.raises(ComplyCubeAPIError, match="email"):
        cc.clients.create(type="person", email="not-an-email", personDetails={"firstName": "A", "lastName": "B"})


def test_auto_list_terminates_on_empty_and_multi_page_lists(cc):
    marker = uuid.uuid4().hex[:10]
    assert list(cc.clients.auto_list(externalId=marker)) == []
    created = {person(cc, externalId=marker).id for _ in range(5)}
    seen = [c.id for c in cc.clients.auto_list(externalId=marker, pageSize=2)]
    assert len(seen) == 5 and set(seen) == created


def test_addresses(cc):
    client = person(cc)
    address = cc.addresses.create(clientId=client.id, line="Harbour Road", city="Bristol", country="GB", type="main")
    assert address.client_id == client.id
    assert cc.addresses.get(address.id).city == "Bristol"
    updated = cc.addresses.update(address.id, country="FR")
    assert updated.country == "FR" and updated.line == "Harbour Road"
    listed = cc.addresses.list(client.id)
    assert [a.id for a in listed.items] == [address.id]
    assert [a.id for a in cc.addresses.auto_list(clientId=client.id)] == [address.id]
    with pytest.raises(ComplyCubeAPIError):
        cc.addresses.create(clientId=client.id, line="x", city="y", country="XX")
    cc.addresses.delete(address.id)
    with pytest.raises(ComplyCubeAPIError, match="Invalid address id"):
        cc.addresses.get(address.id)


def test_team_members(cc):
    members = cc.teammembers.list()
    assert members.total_items >= 1
    owner = members.items[0]
    assert owner.role == "owner"
    assert cc.teammembers.get(owner.id).role == "owner"
    assert [m.id for m in cc.teammembers.auto_list()] == [m.id for m in members.items]


def test_audit_logs(cc):
    client = person(cc)
    cc.clients.update(client.id, email="changed@example.org")
    entries = cc.auditlogs.list(resourceId=client.id)
    assert [e.action for e in entries.items] == ["update", "create"]
    entry = cc.auditlogs.get(entries.items[0].id)
    assert entry.trigger == "updateClient"
    assert entry.diff[0].path == ["email"]
    assert len(list(cc.auditlogs.auto_list(clientId=client.id))) == 2


def test_account_info(cc):
    info = cc.account_info.get()
    assert info.username
    assert info.plan


def test_test_and_live_data_are_separate(cc, live):
    client = person(cc)
    with pytest.raises(ComplyCubeAPIError, match="Invalid client id"):
        live.clients.get(client.id)


FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"


def b64(name):
    return base64.b64encode((FIXTURES / name).read_bytes()).decode()


def test_documents(cc):
    client = person(cc)
    doc = cc.documents.create(client.id, "passport", classification="proof_of_identity", issuingCountry="GB")
    assert doc.type == "passport"
    image = cc.documents.upload(doc.id, "front", "passport.jpg", b64("synthetic_passport_td3_specimen.jpg"))
    assert image.document_side == "front"
    assert image.content_type == "image/jpg"
    downloaded = cc.documents.download(doc.id, "front")
    assert base64.b64decode(downloaded.data)[:3] == b"\xff\xd8\xff"
    listed = cc.documents.list(client.id)
    assert [d.id for d in listed.items] == [doc.id]
    assert [d.id for d in cc.documents.auto_list(client.id)] == [doc.id]
    with pytest.raises(ComplyCubeAPIError, match="between 34KB and 4MB"):
        cc.documents.upload(doc.id, "back", "tiny.jpg", base64.b64encode(b"\xff\xd8\xff" + b"0" * 100).decode())
    cc.documents.deleteImage(doc.id, "front")
    with pytest.raises(ComplyCubeAPIError):
        cc.documents.download(doc.id, "front")
    cc.documents.delete(doc.id)
    with pytest.raises(ComplyCubeAPIError, match="Invalid document id"):
        cc.documents.get(doc.id)


def test_live_photos(cc):
    client = person(cc)
    photo = cc.livephotos.upload(client.id, b64("face_grace_hopper.jpg"))
    assert photo.id
    fetched = cc.livephotos.get(photo.id)
    assert fetched.perform_liveness_check is True
    downloaded = cc.livephotos.download(photo.id)
    assert base64.b64decode(downloaded.data)[:3] == b"\xff\xd8\xff"
    assert [p.id for p in cc.livephotos.list(client.id).items] == [photo.id]
    cc.livephotos.deleteImage(photo.id)
    with pytest.raises(ComplyCubeAPIError, match="Invalid live photo id"):
        cc.livephotos.get(photo.id)


def test_live_videos(cc):
    client = person(cc)
    # Live videos are created by capture flows; the SDK reads, lists and deletes them.
    created = cc._execute_api_request("liveVideos", "POST", clientId=client.id)[0]
    video = cc.livevideos.get(created["id"])
    assert video.language == "en-GB"
    assert [v.id for v in cc.livevideos.list(client.id).items] == [video.id]
    cc.livevideos.delete(video.id)
    with pytest.raises(ComplyCubeAPIError, match="Invalid live video id"):
        cc.livevideos.get(video.id)


def wait_for(cc, check_id, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while True:
        check = cc.checks.get(check_id)
        if check.status != "pending" or time.monotonic() > deadline:
            return check
        time.sleep(0.05)


def test_screening_checks_create_get_list_update_validate(cc):
    client = person(cc, last="attention")
    created = cc.checks.create(client.id, "standard_screening_check")
    assert created.status == "pending"
    assert created.entity_name == "Ada attention"
    assert created.enable_monitoring is False
    check = wait_for(cc, created.id)
    assert check.status == "complete"
    assert check.result.outcome == "attention"
    assert check.result.breakdown.summary.adverse_media.regulatory == "not_processed"
    matches = check.result.breakdown.matches
    assert matches
    listed = cc.checks.list(clientId=client.id, type="standard_screening_check")
    assert [c.id for c in listed.items] == [check.id]
    assert [c.id for c in cc.checks.auto_list(clientId=client.id)] == [check.id]
    with pytest.raises(ComplyCubeAPIError, match="matchId"):
        cc.checks.validate(check.id, outcome="rejected", matchId="not-a-match")
    for match in matches:
        outcome = cc.checks.validate(check.id, outcome="rejected", matchId=match.id)
        assert outcome.outcome == "rejected"
    assert cc.checks.get(check.id).result.outcome == "clear"
    updated = cc.checks.update(check.id, enableMonitoring=True)
    assert updated.enable_monitoring is True


def test_document_and_identity_checks_and_errors(cc):
    client = person(cc)
    doc = cc.documents.create(client.id, "passport", classification="proof_of_identity", issuingCountry="GB")
    cc.documents.upload(doc.id, "front", "passport.jpg", b64("synthetic_passport_td3_specimen.jpg"))
    photo = cc.livephotos.upload(client.id, b64("face_grace_hopper.jpg"))
    document_check = cc.checks.create(client.id, "document_check", documentId=doc.id,
                                      options={"minimumPermittedAge": 21, "clientDataValidation": True})
    identity_check = cc.checks.create(client.id, "identity_check", documentId=doc.id, livePhotoId=photo.id)
    for created in (document_check, identity_check):
        done = wait_for(cc, created.id)
        assert done.status == "complete"
        assert done.result.outcome == "clear"
    assert wait_for(cc, identity_check.id).result.breakdown.face_analysis.facial_similarity == "clear"
    with pytest.raises(ComplyCubeAPIError, match="'type' must be one of"):
        cc.checks.create(client.id, "eid_check")
    with pytest.raises(ComplyCubeAPIError, match="'documentId' must be provided"):
        cc.checks.create(client.id, "document_check")
    with pytest.raises(ComplyCubeAPIError, match="options.minimumPermittedAge"):
        cc.checks.create(client.id, "document_check", documentId=doc.id, options={"minimumPermittedAge": "x"})
    with pytest.raises(ComplyCubeAPIError, match="only screening checks"):
        cc.checks.update(document_check.id, enableMonitoring=True)
    outcome = cc.checks.validate(document_check.id, outcome="rejected", rejectionReasons=["document_is_specimen"])
    assert outcome.outcome == "rejected"
    with pytest.raises(ComplyCubeAPIError, match="used by check"):
        cc.documents.delete(doc.id)


def noise_png(width=320, height=240, seed=7):
    """A valid PNG of random pixels: an image with no document on it (standard library only)."""
    import random
    import struct
    import zlib

    rng = random.Random(seed)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def test_live_document_check_reads_the_specimen_passport(live):
    client = live.clients.create(
        type="person",
        email=f"anna.{uuid.uuid4().hex[:8]}@example.org",
        personDetails={"firstName": "Anna Maria", "lastName": "Eriksson", "dob": "1974-08-12"},
    )
    doc = live.documents.create(client.id, "passport", classification="proof_of_identity", issuingCountry="GB")
    live.documents.upload(doc.id, "front", "passport.jpg", b64("synthetic_passport_td3_specimen.jpg"))
    check = wait_for(live, live.checks.create(client.id, "document_check", documentId=doc.id,
                                              options={"clientDataValidation": True}).id, timeout=120.0)
    assert check.status == "complete"
    result = check.result
    # The specimen expired on 15 April 2012: a real reading flags it.
    assert result.outcome == "attention"
    breakdown = result.breakdown
    data = breakdown.extracted_data
    assert data.document_details.document_number == "L898902C3"
    assert data.document_details.expiration_date.to_dict() == {"day": 15, "month": 4, "year": 2012}
    assert data.document_details.issuing_date.to_dict() == {"day": 16, "month": 4, "year": 2007}
    assert data.holder_details.last_name == ["ERIKSSON"]
    assert data.holder_details.first_name == ["ANNA", "MARIA"]
    assert data.holder_details.dob.to_dict() == {"day": 12, "month": 8, "year": 1974}
    assert breakdown.content_analysis.document_expiry == "attention"
    # The printed page agrees with the MRZ; no offline model can judge forgery.
    assert breakdown.consistency_analysis.last_name == "clear"
    assert breakdown.consistency_analysis.dob == "clear"
    assert breakdown.forensic_analysis.image_tampering == "not_processed"
    assert breakdown.client_validation.last_name == "clear"

    noise = live.documents.create(client.id, "passport", classification="proof_of_identity", issuingCountry="GB")
    # An image too small for the check to read is refused at upload, while another can be taken.
    with pytest.raises(ComplyCubeAPIError, match="too small, blurred or damaged"):
        live.documents.upload(noise.id, "front", "small.png", noise_png())
    # A large, sharp image with no document on it is accepted; the check says it found none.
    live.documents.upload(noise.id, "front", "noise.png", noise_png(900, 640))
    unreadable = wait_for(live, live.checks.create(client.id, "document_check", documentId=noise.id).id,
                          timeout=120.0)
    assert unreadable.status == "complete"
    assert unreadable.result.outcome == "not_processed"


def test_risk_profiles(cc):
    low = person(cc)
    assert cc.riskprofiles.get(low.id).overall == "low"
    high = cc.clients.create(type="person", email="high@example.org",
                             personDetails={"firstName": "Ada", "middleName": "high-risk",
                                            "lastName": "Lovelace", "nationality": "GB"})
    profile = cc.riskprofiles.get(high.id)
    assert profile.overall == "high"
    assert profile.country_risk.country == "GB"
    assert profile.occupation_risk.risk == "not_set"
    with pytest.raises(ComplyCubeAPIError, match="Invalid client id"):
        cc.riskprofiles.get("000000000000000000000000")


def test_webhooks(cc):
    hook = cc.webhooks.create("https://hooks.example.com/clearance", True, ["check.completed.clear"],
                              description="CRM sync")
    assert hook.secret
    fetched = cc.webhooks.get(hook.id)
    assert fetched.url == "https://hooks.example.com/clearance"
    assert getattr(fetched, "secret", None) is None
    updated = cc.webhooks.update(hook.id, enabled=False)
    assert updated.enabled is False
    assert hook.id in [w.id for w in cc.webhooks.list(enabled=False).items]
    with pytest.raises(ComplyCubeAPIError, match="not a known event type"):
        cc.webhooks.create("https://hooks.example.com", True, ["check.exploded"])
    _, status = cc.webhooks.delete(hook.id)
    assert status == 204


def test_delivered_webhooks_pass_the_official_event_verifier(cc):
    import http.server
    import queue
    import threading
    import time

    from complycube.eventverifier import EventVerifier

    inbox = queue.Queue()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            inbox.put((self.headers.get("ComplyCube-Signature"), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        hook = cc.webhooks.create(url, True, ["client.created"])
        client = person(cc)
        signature, body = inbox.get(timeout=20)
        event = EventVerifier(hook.secret).construct_event(body, signature)
        assert event.type == "client.created"
        assert event.payload.id == client.id
        with pytest.raises(Exception):
            EventVerifier("not-the-secret").construct_event(body, signature)
        cc.webhooks.delete(hook.id)
    finally:
        server.shutdown()


def test_static_supported_documents(cc):
    table = cc._execute_api_request("static/supportedDocuments", "GET")[0]
    assert table["document_check"]["passport"]["GB"] == {"sides": 1}


def test_live_screening_finds_a_listed_person_and_remembers_rejections(live):
    # tests/support/start-server.sh imports tests/fixtures/screening/ofac_sdn_sample
    lists = live._execute_api_request("static/screeningLists", "GET")[0]
    assert "OFAC Specially Designated Nationals (SDN) List" in lists
    client = live.clients.create(
        type="person",
        email=f"j.{uuid.uuid4().hex[:8]}@example.org",
        personDetails={"firstName": "Jesus Alfredo", "lastName": "Salazar Ramirez", "dob": "1974-03-24"},
    )
    check = wait_for(live, live.checks.create(client.id, "standard_screening_check").id)
    assert check.status == "complete"
    assert check.result.outcome == "attention"
    assert check.result.breakdown.summary.watchlist.sanctions_lists == "attention"
    matches = check.result.breakdown.matches
    assert "us_ofac_sdn:15253" in [m.entity_id for m in matches]
    for match in matches:
        live.checks.validate(check.id, outcome="rejected", matchId=match.id)
    assert live.checks.get(check.id).result.outcome == "clear"
    rerun = wait_for(live, live.checks.create(client.id, "extensive_screening_check").id)
    assert rerun.status == "complete"
    assert rerun.result.outcome == "clear"
    assert not rerun.result.breakdown.matches


def test_monitoring_alerts_when_a_list_adds_the_client_and_again_when_the_entry_changes(live):
    """#25: the monitoring story, with the official SDK and a webhook receiver."""
    import http.server
    import queue
    import subprocess
    import threading
    import time

    fixtures = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "screening"
    story = f"Monitoring story {uuid.uuid4().hex[:8]}"

    def import_version(folder):
        subprocess.run([os.environ["CLEARANCE_BIN"], "lists", "import", "ofac-csv", str(folder),
                        "--name", story], check=True, capture_output=True)

    alerts = queue.Queue()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if event["type"] == "check.monitoring.attention":
                alerts.put(event)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = live.webhooks.create(f"http://127.0.0.1:{server.server_address[1]}/hook", True,
                                ["check.monitoring.attention"])
    try:
        # v1 of the list does not hold X (KADYROV, 23343); the check screens that list only
        # (the server's sample list has him already).
        import_version(fixtures / "list_deltas" / "v1")
        client = live.clients.create(
            type="person",
            email=f"r.{uuid.uuid4().hex[:8]}@example.org",
            personDetails={"firstName": "Ramzan", "lastName": "Kadyrov", "dob": "1976-10-05"},
        )
        created = live.checks.create(client.id, "standard_screening_check", enableMonitoring=True,
                                     options={"screeningListsScope": {"mode": "include", "lists": [story]}})
        check = wait_for(live, created.id)
        assert check.result.outcome == "clear"
        assert check.enable_monitoring is True

        # v2 adds X: an alert within 30 s, and the check shows X with its "why now".
        import_version(fixtures / "list_deltas" / "v2")
        started = time.monotonic()
        event = alerts.get(timeout=30)
        assert event["payload"]["id"] == check.id
        print(f"alert after {time.monotonic() - started:.2f} s")
        check = live.checks.get(check.id)
        assert check.result.outcome == "attention"
        [x] = [m for m in check.result.breakdown.matches if m.entity_id == "us_ofac_sdn:23343"]
        assert x.monitoring.change == "added"
        assert x.monitoring.list == story
        assert x.sources[0].list == story

        # Rejected, then v3 leaves X unchanged: no new alert.
        live.checks.validate(check.id, outcome="rejected", matchId=x.id)
        assert live.checks.get(check.id).result.outcome == "clear"
        import_version(fixtures / "monitoring" / "v3")
        with pytest.raises(queue.Empty):
            alerts.get(timeout=5)
        assert live.checks.get(check.id).result.outcome == "clear"

        # v4 changes X's record: an alert again.
        import_version(fixtures / "monitoring" / "v4")
        event = alerts.get(timeout=30)
        assert event["payload"]["id"] == check.id
        check = live.checks.get(check.id)
        assert check.result.outcome == "attention"
        [x] = [m for m in check.result.breakdown.matches if m.entity_id == "us_ofac_sdn:23343"]
        assert x.monitoring.change == "changed"
        assert x.monitoring.changed_fields == ["programmes"]
    finally:
        live.webhooks.delete(hook.id)
        server.shutdown()
        # Lists are the server's, not the account's: leave none behind in a shared database.
        subprocess.run([os.environ["CLEARANCE_BIN"], "lists", "remove", story], capture_output=True)


def test_custom_lists(live):
    created = live._execute_api_request("customLists", "POST", name="Blocked counterparties")[0]
    live._execute_api_request(
        f"customLists/{created['id']}/records",
        "POST",
        entityType="company",
        names=[{"type": "primary", "companyName": "Quarterfield Holdings"}],
    )
    fetched = live._execute_api_request(f"customLists/{created['id']}", "GET")[0]
    assert fetched["stats"] == {"personCount": 0, "companyCount": 1}
    with pytest.raises(ComplyCubeAPIError, match="names"):
        live._execute_api_request(f"customLists/{created['id']}/records", "POST", entityType="person")


def test_live_identity_check_and_face_authentication(live):
    """Issue #24's acceptance through the official SDK with a live key."""

    def client(first):
        return live.clients.create(
            type="person",
            email=f"{first.lower()}.{uuid.uuid4().hex[:8]}@example.org",
            personDetails={"firstName": first, "lastName": "Eriksson"},
        )

    def passport(owner):
        doc = live.documents.create(owner.id, "passport", classification="proof_of_identity", issuingCountry="GB")
        live.documents.upload(doc.id, "front", "passport.jpg", b64("synthetic_passport_td3_specimen.jpg"))
        return doc

    def check(owner, kind, **links):
        return wait_for(live, live.checks.create(owner.id, kind, **links).id, timeout=120.0)

    anna = client("Anna")
    doc = passport(anna)
    collins = live.livephotos.upload(anna.id, b64("face_collins.jpg"))
    identity = check(anna, "identity_check", documentId=doc.id, livePhotoId=collins.id)
    assert identity.status == "complete"
    assert identity.result.outcome == "clear"
    face = identity.result.breakdown.face_analysis
    assert face.facial_similarity == "clear"
    assert face.breakdown.facial_similarity_score >= 80
    # The anti-spoof model takes the selfie for a live face (the portrait is a camera capture).
    authenticity = identity.result.breakdown.authenticity_analysis
    assert authenticity.spoofed_image_analysis == "clear"
    assert authenticity.breakdown.liveness_score >= 50

    hopper = live.livephotos.upload(anna.id, b64("face_grace_hopper.jpg"))
    other = check(anna, "identity_check", documentId=doc.id, livePhotoId=hopper.id)
    assert other.result.outcome == "attention"
    assert other.result.breakdown.face_analysis.facial_similarity == "attention"

    second = live.livephotos.upload(anna.id, b64("face_collins_mirrored_cropped.jpg"))
    assert check(anna, "face_authentication_check", livePhotoId=second.id).result.outcome == "clear"
    assert check(anna, "face_authentication_check", livePhotoId=hopper.id).result.outcome == "attention"

    bob = client("Bob")
    twin = check(bob, "identity_check", documentId=passport(bob).id,
                 livePhotoId=live.livephotos.upload(bob.id, b64("face_collins.jpg")).id)
    assert twin.result.outcome == "attention"
    assert twin.result.breakdown.face_analysis.previously_enrolled_face == "attention"

    # The SDK keeps only the error's message: the 422 codes are asserted in the Rust API tests.
    for name, message in (("faces_two_people.jpg", "More than one face"),
                          ("synthetic_passport_td3_specimen.jpg", "A document was found")):
        with pytest.raises(ComplyCubeAPIError, match=message):
            live.livephotos.upload(anna.id, b64(name))


def pdf_text(report):
    """The text of a report answer's PDF (poppler's pdftotext), whitespace folded."""
    import shutil
    import subprocess
    import tempfile

    assert report.content_type == "application/pdf"
    pdf = base64.b64decode(report.data)
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        assert not os.environ.get("CLEARANCE_REQUIRE_POPPLER"), "pdftotext (poppler-utils) is required"
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdftotext", "-layout", f.name, "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode("utf-8").split())


def test_client_and_check_reports_are_pdfs_naming_checks_and_matches(live):
    client = live.clients.create(
        type="person",
        email=f"j.{uuid.uuid4().hex[:8]}@example.org",
        personDetails={"firstName": "Jesus Alfredo", "lastName": "Salazar Ramirez", "dob": "1974-03-24"},
    )
    screening = wait_for(live, live.checks.create(client.id, "standard_screening_check").id)
    assert screening.result.outcome == "attention"
    matched = screening.result.breakdown.matches[0].names[0].full_name

    text = pdf_text(live.reports.generate_client_report(client.id))
    for expected in ["Jesus Alfredo Salazar Ramirez", "standard_screening_check", "attention", matched]:
        assert expected in text, expected

    text = pdf_text(live.reports.generate_check_report(screening.id))
    for expected in [screening.id, "Outcome attention", matched, "OFAC Specially Designated Nationals (SDN) List"]:
        assert expected in text, expected

    with pytest.raises(ComplyCubeAPIError, match="Invalid client id"):
        live.reports.generate_client_report("5ed1712e99c81a0007b9a3d6")


def test_workflow_sessions_run_a_template_to_its_outcome(cc):
    import time

    import requests

    template, _ = cc._execute_api_request(
        "workflowTemplates",
        "POST",
        name="SDK onboarding",
        tasks=[
            {"type": "consent"},
            {"type": "document_capture"},
            {"type": "check", "checkType": "document_check"},
            {"type": "check", "checkType": "extensive_screening_check"},
        ],
    )
    client = person(cc, last="Attention")
    flow = cc.flow.create(
        clientId=client.id,
        workflowTemplateId=template["id"],
        successUrl="https://example.org/done",
        cancelUrl="https://example.org/cancel",
    )
    token = flow.redirect_url.rsplit("/", 1)[-1]
    sessions = cc.workflow_sessions.list(clientId=client.id)
    assert len(sessions.items) == 1
    session = sessions.items[0]
    assert session.status == "started"
    assert session.workflow_template_id == template["id"]

    base = os.environ["CLEARANCE_URL"] + f"/flow/{token}"
    doc = requests.post(f"{base}/documents", json={"type": "passport", "issuingCountry": "GB"}).json()
    front = requests.post(
        f"{base}/documents/{doc['id']}/upload/front",
        json={"fileName": "front.jpg", "data": b64("face_grace_hopper.jpg")},
    )
    assert front.status_code == 200, front.text
    done = requests.post(f"{base}/finish", json={"consent": True, "documentId": doc["id"]})
    assert done.status_code == 200, done.text

    status = cc.workflow_sessions.complete(session.id)
    assert status.status in ("processing", "complete")
    deadline = time.monotonic() + 20
    while True:
        session = cc.workflow_sessions.get(session.id)
        if session.status == "complete" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert session.status == "complete"
    # The sandbox flags a client named Attention; without policies, that needs review.
    assert session.outcome == "review"
    assert [c.type for c in session.all_related_checks] == ["document_check", "extensive_screening_check"]
    assert [s.id for s in cc.workflow_sessions.list(clientId=client.id, outcome="review").items] == [session.id]


# complycube 1.1.8 has no lookup resource (the Node and PHP SDKs do); an integrator calls the
# endpoints through the client's own request helper, which is what these tests do.
def test_company_lookups_through_the_clients_request_helper(cc):
    found, status = cc._execute_api_request(
        "lookup/companies", "POST", companyName="Mercury Resources", incorporationCountry="GB"
    )
    assert status == 200
    assert found["items"][0]["name"] == "MERCURY RESOURCES (UK) LIMITED"
    company, _ = cc._execute_api_request("lookup/companies/" + found["items"][0]["id"])
    assert company["registrationNumber"] == found["items"][0]["registrationNumber"]
    assert isinstance(company["industryCodes"], list)
    with pytest.raises(ComplyCubeAPIError):
        cc._execute_api_request("lookup/companies", "POST", companyName="x", incorporationCountry="J{")


def test_address_lookups_through_the_clients_request_helper(cc):
    found, _ = cc._execute_api_request(
        "lookup/addresses", "POST", line="Potsdamer Straße 4", postalCode="10785", country="DE"
    )
    assert [a["line"] for a in found["items"]] == ["Potsdamer Straße 4"]
