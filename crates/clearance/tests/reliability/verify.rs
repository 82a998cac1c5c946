//! What the server holds against what it accepted, and the report.

use super::*;

pub(crate) async fn all_events(store: &dyn Store) -> Vec<StoredEvent> {
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = store.events_after(after, 1000).await.unwrap();
        let Some(last) = page.last() else {
            return events;
        };
        after = last.seq;
        events.extend(page);
    }
}

/// Files in a local blob folder.
pub(crate) fn local_objects(root: &Path) -> usize {
    let mut count = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                count += 1;
            }
        }
    }
    count
}

/// What the verification found; every count of lost or duplicated things must be zero.
#[derive(Default, Debug)]
pub(crate) struct Verified {
    pub(crate) journeys: usize,
    pub(crate) clients: usize,
    pub(crate) checks: usize,
    pub(crate) events: usize,
    pub(crate) deliveries: usize,
    pub(crate) files: usize,
    pub(crate) stored_objects: usize,
    pub(crate) lost_checks: usize,
    pub(crate) duplicated_checks: usize,
    pub(crate) lost_events: usize,
    pub(crate) duplicated_events: usize,
    pub(crate) lost_files: usize,
    pub(crate) duplicated_files: usize,
    pub(crate) problems: Vec<String>,
}

impl Verified {
    pub(crate) fn problem(&mut self, what: String) {
        if self.problems.len() < 40 {
            self.problems.push(what);
        }
    }
}

/// Counts what the server holds against what the journeys got accepted.
pub(crate) async fn verify(
    api: &Api,
    keys: &Keys,
    journeys: &[Journey],
    events: &[StoredEvent],
    inbox: &Inbox,
    stored_objects: usize,
) -> Verified {
    let mut v = Verified {
        journeys: journeys.len(),
        stored_objects,
        events: events.len(),
        deliveries: inbox.deliveries.len(),
        ..Verified::default()
    };
    // What the server holds: clients by email, the rest by client.
    let mut clients_by_email: HashMap<String, Vec<String>> = HashMap::new();
    for mode in [Mode::Test, Mode::Live] {
        for c in api.list_all(keys.of(mode), "/v1/clients").await {
            clients_by_email
                .entry(c["email"].as_str().unwrap_or_default().to_string())
                .or_default()
                .push(c["id"].as_str().unwrap().to_string());
        }
    }
    let mut by_client: HashMap<(&str, String), Vec<Value>> = HashMap::new();
    for j in journeys {
        for (kind, path) in [
            ("document", "/v1/documents"),
            ("livePhoto", "/v1/livePhotos"),
            ("check", "/v1/checks"),
        ] {
            let items = api
                .list_all(keys.of(j.mode), &format!("{path}?clientId={}", j.client))
                .await;
            by_client.insert((kind, j.client.clone()), items);
        }
    }
    let mut events_of: HashMap<&str, Vec<&StoredEvent>> = HashMap::new();
    let mut event_ids = HashSet::new();
    for e in events {
        if !event_ids.insert(e.event.id.as_str()) {
            v.duplicated_events += 1;
            v.problem(format!("event id {} stored twice", e.event.id));
        }
        events_of
            .entry(e.event.resource_id.as_str())
            .or_default()
            .push(e);
    }
    let mut delivered: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (event, kind, resource) in &inbox.deliveries {
        if kind == "check.completed" {
            delivered.entry(resource).or_default().insert(event);
        }
    }

    for j in journeys {
        let key = keys.of(j.mode);
        v.clients += 1;
        match clients_by_email.get(&j.email).map(Vec::as_slice) {
            Some([one]) if *one == j.client => {}
            other => v.problem(format!("client {}: stored as {other:?}", j.email)),
        }
        let held = |kind: &'static str| {
            by_client
                .get(&(kind, j.client.clone()))
                .cloned()
                .unwrap_or_default()
        };
        // The document, its one front image, and the bytes of every accepted file.
        let documents = held("document");
        let images = documents
            .first()
            .and_then(|d| d["images"].as_array().cloned())
            .unwrap_or_default();
        if documents.len() != 1 || documents[0]["id"] != j.document.as_str() || images.len() != 1 {
            v.duplicated_files += images.len().saturating_sub(1);
            v.problem(format!(
                "document of {}: {} stored, {} images",
                j.client,
                documents.len(),
                images.len()
            ));
        }
        let mut files = vec![(
            format!("/v1/documents/{}/download/front", j.document),
            j.front_sha.clone(),
        )];
        let photos = held("livePhoto");
        match &j.photo {
            Some((photo, sha)) => {
                files.push((format!("/v1/livePhotos/{photo}/download"), sha.clone()));
                if photos.len() != 1 || photos[0]["id"] != photo.as_str() {
                    v.duplicated_files += photos.len().saturating_sub(1);
                    v.problem(format!(
                        "live photos of {}: {} stored",
                        j.client,
                        photos.len()
                    ));
                }
            }
            None if !photos.is_empty() => {
                v.duplicated_files += photos.len();
                v.problem(format!("unexpected live photos of {}", j.client));
            }
            None => {}
        }
        for (path, sha) in files {
            v.files += 1;
            match api.download_sha(key, &path).await {
                Ok(got) if got == sha => {}
                Ok(_) => {
                    v.lost_files += 1;
                    v.problem(format!("{path}: other bytes than uploaded"));
                }
                Err(e) => {
                    v.lost_files += 1;
                    v.problem(e);
                }
            }
        }
        // The checks: exactly those accepted, each complete, each with its events once.
        let checks = held("check");
        let stored: HashSet<&str> = checks.iter().filter_map(|c| c["id"].as_str()).collect();
        v.duplicated_checks += checks.len().saturating_sub(j.checks.len());
        for id in &j.checks {
            v.checks += 1;
            let Some(check) = checks.iter().find(|c| c["id"] == id.as_str()) else {
                v.lost_checks += 1;
                v.problem(format!("check {id} of {} is missing", j.client));
                continue;
            };
            if check["status"] != "complete" {
                v.lost_checks += 1;
                v.problem(format!(
                    "check {id} ({}) is {}: {}",
                    check["type"], check["status"], check["failureReason"]
                ));
                continue;
            }
            let outcome = check["result"]["outcome"].as_str().unwrap_or_default();
            let mut types: Vec<&str> = events_of
                .get(id.as_str())
                .map(|es| es.iter().map(|e| e.event.event_type.as_str()).collect())
                .unwrap_or_default();
            types.sort_unstable();
            let completed = format!("check.completed.{outcome}");
            let mut expected = vec!["check.completed", completed.as_str(), "check.pending"];
            expected.sort_unstable();
            if types != expected {
                let missing = expected.iter().filter(|t| !types.contains(t)).count();
                v.lost_events += missing;
                v.duplicated_events += types.len() + missing - expected.len();
                v.problem(format!("events of check {id}: {types:?}"));
            }
            let completion: Vec<&str> = events_of
                .get(id.as_str())
                .into_iter()
                .flatten()
                .filter(|e| e.event.event_type == "check.completed")
                .map(|e| e.event.id.as_str())
                .collect();
            let got = delivered.get(id.as_str()).cloned().unwrap_or_default();
            match (completion.as_slice(), got.len()) {
                ([event], 1) if got.contains(event) => {}
                (_, 0) => {
                    v.lost_events += 1;
                    v.problem(format!("check.completed of {id} never delivered"));
                }
                _ => {
                    v.duplicated_events += got.len().saturating_sub(1);
                    v.problem(format!(
                        "check.completed of {id}: stored {completion:?}, delivered {got:?}"
                    ));
                }
            }
        }
        if stored.len() != j.checks.len() {
            v.problem(format!(
                "{} holds {} checks, {} were accepted",
                j.client,
                stored.len(),
                j.checks.len()
            ));
        }
        // Other resources' events: each kind once (a retried write would add a second).
        for id in [&j.client, &j.document]
            .into_iter()
            .chain(j.photo.as_ref().map(|(p, _)| p))
        {
            let mut seen = HashSet::new();
            for e in events_of.get(id.as_str()).into_iter().flatten() {
                if !seen.insert(e.event.event_type.as_str()) {
                    v.duplicated_events += 1;
                    v.problem(format!("{} of {id} stored twice", e.event.event_type));
                }
            }
        }
        if !events_of
            .get(j.client.as_str())
            .is_some_and(|es| es.iter().any(|e| e.event.event_type == "client.created"))
        {
            v.lost_events += 1;
            v.problem(format!("client.created of {} is missing", j.client));
        }
    }
    // Every stored object is an accepted file or a leftover of a refused upload (never read).
    if stored_objects < v.files {
        v.problem(format!(
            "{stored_objects} objects stored for {} accepted files",
            v.files
        ));
    }
    v
}

/// The scenario's report, then the verdict.
pub(crate) fn report(
    scenario: &str,
    api: &Api,
    v: &Verified,
    faults: &[String],
    elapsed: Duration,
    log: &Path,
) {
    let t = api.tally(|t| {
        format!(
            "requests: {} sent, {} accepted ({} replayed), {} retried after {} failures \
             (5xx {:?}, 409 in progress {}, transport {}, timeouts {}); slowest answer {:.1} s",
            t.sent,
            t.accepted,
            t.replayed,
            t.retried,
            t.failures(),
            t.server_errors,
            t.in_progress,
            t.transport_errors,
            t.timeouts,
            t.slowest.as_secs_f64()
        )
    });
    let sample = api.tally(|t| t.sample_error.clone().unwrap_or_else(|| "none".into()));
    let (warnings, errors) = log_counts(log);
    let orphans = v.stored_objects.saturating_sub(v.files);
    let mut out = format!(
        "\n=== reliability: {scenario} ({:.1} s) ===\n",
        elapsed.as_secs_f64()
    );
    for fault in faults {
        let _ = writeln!(out, "fault: {fault}");
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(out, "a failed request answered: {sample}");
    let _ = writeln!(
        out,
        "verified: {} journeys, {} clients, {} checks complete, {} files read back, \
         {} outbox events, {} webhook deliveries; {} stored objects ({} unreferenced, from \
         refused uploads)",
        v.journeys,
        v.clients,
        v.checks - v.lost_checks,
        v.files - v.lost_files,
        v.events,
        v.deliveries,
        v.stored_objects,
        orphans
    );
    let _ = writeln!(
        out,
        "lost: checks {}, events {}, files {}; duplicated: checks {}, events {}, files {}",
        v.lost_checks,
        v.lost_events,
        v.lost_files,
        v.duplicated_checks,
        v.duplicated_events,
        v.duplicated_files
    );
    let _ = writeln!(
        out,
        "server log ({}): {warnings} warnings, {errors} errors",
        log.display()
    );
    eprintln!("{out}");
    // A request whose connection broke (a node killed) may have stored its file, too.
    let refused = api.tally(|t| t.server_errors.values().sum::<u64>() + t.transport_errors);
    assert!(
        orphans as u64 <= refused,
        "{orphans} unreferenced objects but only {refused} refused requests"
    );
    let hung = api.tally(|t| t.timeouts);
    assert_eq!(hung, 0, "requests unanswered after {REQUEST_TIMEOUT:?}");
    let misshapen = api.tally(|t| t.misshapen.clone());
    assert!(
        misshapen.is_empty(),
        "errors not in the wire shape: {misshapen:#?}"
    );
    assert!(
        v.problems.is_empty(),
        "{scenario}: {} problems:\n{}",
        v.problems.len(),
        v.problems.join("\n")
    );
    assert_eq!(
        (
            v.lost_checks,
            v.lost_events,
            v.lost_files,
            v.duplicated_checks,
            v.duplicated_events,
            v.duplicated_files
        ),
        (0, 0, 0, 0, 0, 0)
    );
}

pub(crate) async fn metric(server: &ServerProcess, name: &str) -> u64 {
    server.metric(&format!("{name} ")).await
}

// ---------------------------------------------------------------------------------------------
// Scenario 1: PostgreSQL restarted in the middle of the load.
