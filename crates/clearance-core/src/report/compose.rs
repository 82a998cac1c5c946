//! Turns a snapshot of a client or a check into a [`Report`]: which facts appear, in which
//! order, in words an analyst reads. Layout is the renderer's business.

use crate::audit::AuditLog;
use crate::checks::Check;
use crate::resources::address::Address;
use crate::resources::client::Client;
use crate::resources::document::Document;
use crate::resources::workflow_session::WorkflowSession;
use crate::risk::RiskProfile;
use crate::scope::Mode;
use crate::time::format_timestamp;

use super::breakdown::check_blocks;
use super::{Block, Report, Section, Table};

/// An image to show small: a document side or a live photo, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    pub caption: String,
    /// The stored file (JPEG, PNG or PDF; the renderer shows what it can decode and says so
    /// when it cannot).
    pub bytes: Vec<u8>,
}

/// What every report is stamped with.
#[derive(Clone, Debug, PartialEq)]
pub struct Stamp {
    pub account_id: String,
    /// The account's name, when it has one.
    pub account_name: Option<String>,
    pub mode: Mode,
    pub generated_ms: i64,
}

/// A resource with its id and times.
#[derive(Clone, Debug, PartialEq)]
pub struct Item<T> {
    pub id: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub body: T,
}

/// A document with the pictures of its sides that could be read.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentItem {
    pub document: Item<Document>,
    pub pictures: Vec<Picture>,
}

/// An audit entry with its id and time.
pub type AuditItem = Item<AuditLog>;

/// Everything a client report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientSnapshot {
    pub stamp: Stamp,
    pub client: Item<Client>,
    pub addresses: Vec<Item<Address>>,
    pub documents: Vec<DocumentItem>,
    /// Live photos, each with its picture when it could be read.
    pub live_photos: Vec<(Item<()>, Option<Picture>)>,
    pub checks: Vec<Item<Check>>,
    /// The client's risk profile at generation time, when it could be worked out.
    pub risk: Option<RiskProfile>,
    /// Oldest first.
    pub audit: Vec<AuditItem>,
    /// Set when the trail was longer than a report shows.
    pub audit_truncated: bool,
}

/// Everything a check report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckSnapshot {
    pub stamp: Stamp,
    pub client: Item<Client>,
    pub check: Item<Check>,
    pub document: Option<DocumentItem>,
    pub live_photo: Option<Picture>,
    /// Oldest first.
    pub audit: Vec<AuditItem>,
}

/// Everything a workflow session report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSnapshot {
    pub stamp: Stamp,
    pub client: Item<Client>,
    pub session: Item<WorkflowSession>,
    /// The session's checks that still exist, in the session's order.
    pub checks: Vec<Item<Check>>,
    /// Oldest first.
    pub audit: Vec<AuditItem>,
}

/// A workflow session report: the session (template version, status, outcome and how each
/// policy came out), its tasks, its checks with their breakdowns, its client and its trail.
pub fn workflow_session_report(s: &SessionSnapshot) -> Report {
    let w = &s.session.body;
    let mut f = Vec::new();
    push(&mut f, "Status", Some(w.status.as_str()));
    push(
        &mut f,
        "Outcome",
        Some(w.outcome.map(|o| o.as_str()).unwrap_or("none yet")),
    );
    push(
        &mut f,
        "Template",
        Some(format!(
            "{} ({}), version {}",
            w.workflow_template_name, w.workflow_template_id, w.workflow_version
        )),
    );
    push(
        &mut f,
        "Description",
        w.workflow_template_description.as_ref(),
    );
    push(&mut f, "Started", Some(when(s.session.created_ms)));
    push(&mut f, "Completed", w.completed_at.as_ref());
    push(&mut f, "Link expires", Some(&w.expires_at));
    let mut blocks = vec![Block::Fields(f)];
    blocks.push(Block::Heading("Compliance policies".into()));
    blocks.push(Block::Table(Table {
        header: vec![
            "Policy".into(),
            "Looks at".into(),
            "Decision".into(),
            "Result".into(),
        ],
        widths: vec![0.34, 0.3, 0.12, 0.24],
        rows: w
            .compliance_policies
            .iter()
            .map(|p| {
                let looks = format!(
                    "{}: {}",
                    p.check_type.map(|c| c.as_str()).unwrap_or("any check"),
                    p.outcomes.join(", ")
                );
                let result = match w.policy_assurance.iter().find(|a| a.name == p.name) {
                    Some(a) if a.triggered => format!("triggered by {}", a.check_ids.join(", ")),
                    Some(_) => "not triggered".into(),
                    None => "not decided yet".into(),
                };
                vec![p.name.clone(), looks, p.decision.as_str().into(), result]
            })
            .collect(),
    }));
    blocks.push(Block::Heading("Tasks".into()));
    blocks.push(Block::Table(Table {
        header: vec![
            "Task".into(),
            "Type".into(),
            "Status".into(),
            "Completed".into(),
        ],
        widths: vec![0.2, 0.4, 0.14, 0.26],
        rows: w
            .tasks
            .iter()
            .map(|t| {
                let kind = match t.task.check_type {
                    Some(c) => format!("{}: {}", t.task.kind.as_str(), c.as_str()),
                    None => t.task.kind.as_str().to_string(),
                };
                vec![
                    t.task.id.clone(),
                    kind,
                    t.status.as_str().into(),
                    t.completed_at.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    }));
    let mut sections = vec![Section {
        heading: format!("Workflow session {}", s.session.id),
        blocks,
    }];
    sections.push(checks_overview(&s.checks));
    for check in &s.checks {
        sections.push(Section {
            heading: format!("Check {} · {}", check.id, check.body.check_type.as_str()),
            blocks: check_blocks(&check.body, check.created_ms, check.updated_ms),
        });
    }
    sections.push(client_section(&s.client));
    sections.push(audit_section(&s.audit, false));
    Report {
        title: format!(
            "Workflow session report: {} for {}",
            w.workflow_template_name, s.client.body.entity_name
        ),
        subtitle: stamp_lines(
            &s.stamp,
            format!("Workflow session {} · client {}", s.session.id, s.client.id),
        ),
        sections,
        footer: footer(&s.stamp, "workflow session report"),
    }
}

/// A time as reports print it: `2026-12-07 15:44:04 UTC`.
pub(super) fn when(ms: i64) -> String {
    let iso = format_timestamp(ms);
    format!(
        "{} {} UTC",
        &iso[..10.min(iso.len())],
        iso.get(11..19).unwrap_or("")
    )
}

fn stamp_lines(stamp: &Stamp, about: String) -> Vec<String> {
    let mode = match stamp.mode {
        Mode::Live => "live",
        Mode::Test => "test (sandbox)",
    };
    let account = match &stamp.account_name {
        Some(name) => format!("{name} ({})", stamp.account_id),
        None => stamp.account_id.clone(),
    };
    vec![
        about,
        format!(
            "Generated {} for account {account}, {mode} data",
            when(stamp.generated_ms)
        ),
        "A snapshot: later changes to these records do not appear in it.".into(),
    ]
}

fn footer(stamp: &Stamp, what: &str) -> String {
    format!("Clearance {what} · generated {}", when(stamp.generated_ms))
}

/// A client report: details, addresses, documents, live photos, checks and the audit trail.
pub fn client_report(s: &ClientSnapshot) -> Report {
    let client = &s.client.body;
    let mut sections = vec![client_section(&s.client)];
    if let Some(risk) = &s.risk
        && let Ok(value) = serde_json::to_value(risk)
    {
        sections.push(Section {
            heading: "Risk profile".into(),
            blocks: vec![Block::Fields(super::breakdown::value_rows(&value))],
        });
    }
    sections.push(addresses_section(&s.addresses));
    sections.push(documents_section(&s.documents));
    if !s.live_photos.is_empty() {
        let pictures: Vec<Picture> = s
            .live_photos
            .iter()
            .filter_map(|(_, p)| p.clone())
            .collect();
        let mut blocks = vec![Block::Fields(
            s.live_photos
                .iter()
                .map(|(item, _)| (item.id.clone(), format!("taken {}", when(item.created_ms))))
                .collect(),
        )];
        if !pictures.is_empty() {
            blocks.push(Block::Pictures(pictures));
        }
        sections.push(Section {
            heading: "Live photos".into(),
            blocks,
        });
    }
    sections.push(checks_overview(&s.checks));
    for check in &s.checks {
        sections.push(Section {
            heading: format!("Check {} · {}", check.id, check.body.check_type.as_str()),
            blocks: check_blocks(&check.body, check.created_ms, check.updated_ms),
        });
    }
    sections.push(audit_section(&s.audit, s.audit_truncated));
    Report {
        title: format!("Client report: {}", client.entity_name),
        subtitle: stamp_lines(&s.stamp, format!("Client {}", s.client.id)),
        sections,
        footer: footer(&s.stamp, "client report"),
    }
}

/// A check report: the check with its full breakdown, its client, what it examined, and its
/// audit trail.
pub fn check_report(s: &CheckSnapshot) -> Report {
    let check = &s.check.body;
    let mut sections = vec![Section {
        heading: format!("Check {}", s.check.id),
        blocks: check_blocks(check, s.check.created_ms, s.check.updated_ms),
    }];
    sections.push(client_section(&s.client));
    if let Some(doc) = &s.document {
        sections.push(documents_section(std::slice::from_ref(doc)));
    }
    if let Some(photo) = &s.live_photo {
        sections.push(Section {
            heading: "Live photo".into(),
            blocks: vec![Block::Pictures(vec![photo.clone()])],
        });
    }
    sections.push(audit_section(&s.audit, false));
    Report {
        title: format!(
            "Check report: {} for {}",
            check.check_type.as_str(),
            s.client.body.entity_name
        ),
        subtitle: stamp_lines(
            &s.stamp,
            format!("Check {} · client {}", s.check.id, s.client.id),
        ),
        sections,
        footer: footer(&s.stamp, "check report"),
    }
}

fn push(fields: &mut Vec<(String, String)>, label: &str, value: Option<impl ToString>) {
    if let Some(v) = value {
        let v = v.to_string();
        if !v.is_empty() {
            fields.push((label.into(), v));
        }
    }
}

fn client_section(item: &Item<Client>) -> Section {
    let c = &item.body;
    let mut f = Vec::new();
    push(&mut f, "Name", Some(&c.entity_name));
    push(&mut f, "Client id", Some(&item.id));
    push(
        &mut f,
        "Type",
        Some(if c.is_company() { "company" } else { "person" }),
    );
    push(&mut f, "Email", Some(&c.email));
    push(&mut f, "Mobile", c.mobile.as_ref());
    push(&mut f, "Telephone", c.telephone.as_ref());
    push(&mut f, "External id", c.external_id.as_ref());
    push(&mut f, "Joined", c.joined_date.as_ref());
    if let Some(p) = c.person() {
        push(&mut f, "First name", Some(&p.first_name));
        push(&mut f, "Middle name", p.middle_name.as_ref());
        push(&mut f, "Last name", Some(&p.last_name));
        push(&mut f, "Date of birth", p.dob.as_ref());
        push(&mut f, "Gender", p.gender.map(|g| g.as_str()));
        push(&mut f, "Nationality", p.nationality.as_ref());
        push(&mut f, "Country of birth", p.birth_country.as_ref());
        push(
            &mut f,
            "National identity number",
            p.national_identity_number.as_ref(),
        );
        push(&mut f, "SSN", p.ssn.as_ref());
        push(
            &mut f,
            "Social insurance number",
            p.social_insurance_number.as_ref(),
        );
        push(
            &mut f,
            "Tax identification number",
            p.tax_identification_number.as_ref(),
        );
    }
    if let Some(co) = c.company() {
        push(&mut f, "Registered name", Some(&co.name));
        push(
            &mut f,
            "Registration number",
            co.registration_number.as_ref(),
        );
        push(&mut f, "Incorporated in", co.incorporation_country.as_ref());
        push(
            &mut f,
            "Incorporation type",
            co.incorporation_type.map(|t| t.as_str()),
        );
        push(&mut f, "Website", co.website.as_ref());
    }
    if let Some(meta) = &c.metadata {
        for (k, v) in meta {
            let v = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            f.push((format!("Metadata: {k}"), v));
        }
    }
    push(&mut f, "Created", Some(when(item.created_ms)));
    push(&mut f, "Last updated", Some(when(item.updated_ms)));
    Section {
        heading: "Client".into(),
        blocks: vec![Block::Fields(f)],
    }
}

fn addresses_section(addresses: &[Item<Address>]) -> Section {
    let blocks = if addresses.is_empty() {
        vec![Block::Text("No addresses on record.".into())]
    } else {
        vec![Block::Table(Table {
            header: vec![
                "Type".into(),
                "Address".into(),
                "Country".into(),
                "From – to".into(),
            ],
            widths: vec![0.14, 0.52, 0.1, 0.24],
            rows: addresses
                .iter()
                .map(|a| {
                    let b = &a.body;
                    let line = [
                        b.property_number.clone(),
                        b.building_name.clone(),
                        Some(b.line.clone()),
                        Some(b.city.clone()),
                        b.state.clone(),
                        b.postal_code.clone(),
                    ]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                    vec![
                        b.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
                        line,
                        b.country.clone(),
                        format!(
                            "{} – {}",
                            b.from_date.as_deref().unwrap_or("?"),
                            b.to_date.as_deref().unwrap_or("")
                        ),
                    ]
                })
                .collect(),
        })]
    };
    Section {
        heading: "Addresses".into(),
        blocks,
    }
}

fn documents_section(documents: &[DocumentItem]) -> Section {
    let mut blocks = Vec::new();
    if documents.is_empty() {
        blocks.push(Block::Text("No documents on record.".into()));
    }
    for item in documents {
        let d = &item.document.body;
        blocks.push(Block::Heading(format!(
            "Document {} · {}",
            item.document.id,
            d.kind.as_str()
        )));
        let mut f = Vec::new();
        push(
            &mut f,
            "Classification",
            d.classification.map(|c| c.as_str()),
        );
        push(&mut f, "Document number", d.document_number.as_ref());
        push(&mut f, "Issuing country", d.issuing_country.as_ref());
        push(&mut f, "Issuing state", d.issuing_state.as_ref());
        for image in &d.images {
            let state = if image.redacted == Some(true) {
                "redacted".to_string()
            } else {
                format!(
                    "{} ({}, {} bytes), uploaded {}",
                    image.file_name.as_deref().unwrap_or("unnamed"),
                    image.content_type.as_deref().unwrap_or("unknown type"),
                    image.size.unwrap_or_default(),
                    image.created_at
                )
            };
            f.push((format!("{} side", image.document_side.as_str()), state));
        }
        if d.images.is_empty() {
            f.push(("Images".into(), "none uploaded".into()));
        }
        push(&mut f, "Created", Some(when(item.document.created_ms)));
        blocks.push(Block::Fields(f));
        if !item.pictures.is_empty() {
            blocks.push(Block::Pictures(item.pictures.clone()));
        }
    }
    Section {
        heading: "Documents".into(),
        blocks,
    }
}

/// The outcome of a check in words: its result's outcome, or where it is.
pub(super) fn outcome_words(check: &Check) -> String {
    match (&check.result, check.status) {
        (Some(r), _) => super::verdict_words(r.outcome.as_str()),
        (None, crate::checks::CheckStatus::Pending) => "pending (no result yet)".into(),
        (None, crate::checks::CheckStatus::Failed) => "failed".into(),
        (None, crate::checks::CheckStatus::Complete) => "complete".into(),
    }
}

fn checks_overview(checks: &[Item<Check>]) -> Section {
    let blocks = if checks.is_empty() {
        vec![Block::Text("No checks on record.".into())]
    } else {
        vec![Block::Table(Table {
            header: vec![
                "Check".into(),
                "Type".into(),
                "Outcome".into(),
                "Created".into(),
            ],
            widths: vec![0.3, 0.3, 0.16, 0.24],
            rows: checks
                .iter()
                .map(|c| {
                    vec![
                        c.id.clone(),
                        c.body.check_type.as_str().into(),
                        outcome_words(&c.body),
                        when(c.created_ms),
                    ]
                })
                .collect(),
        })]
    };
    Section {
        heading: "Checks".into(),
        blocks,
    }
}

fn audit_section(audit: &[AuditItem], truncated: bool) -> Section {
    let mut blocks = Vec::new();
    if audit.is_empty() {
        blocks.push(Block::Text("No audit entries.".into()));
    } else {
        blocks.push(Block::Table(Table {
            header: vec!["When".into(), "What".into(), "Resource".into(), "By".into()],
            widths: vec![0.21, 0.16, 0.35, 0.28],
            rows: audit
                .iter()
                .map(|e| {
                    let a = &e.body;
                    let by = match (&a.member_id, &a.key_id) {
                        (Some(m), _) => format!("member {m}"),
                        (None, Some(k)) => format!("key {k}"),
                        (None, None) => "Clearance".into(),
                    };
                    vec![
                        when(e.created_ms),
                        a.trigger.clone(),
                        format!("{} {}", a.resource_type, a.resource_id),
                        by,
                    ]
                })
                .collect(),
        }));
    }
    if truncated {
        blocks.push(Block::Text(
            "Only the most recent entries are shown; GET /v1/auditLogs?clientId=… has them all."
                .into(),
        ));
    }
    Section {
        heading: "Audit trail".into(),
        blocks,
    }
}
