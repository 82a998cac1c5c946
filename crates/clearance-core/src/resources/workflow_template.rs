//! Workflow templates (Clearance's own API: the hosted service configures them in its portal):
//! the ordered tasks a hosted verification walks (consent, captures, checks with their options)
//! and the compliance policies that turn the checks' outcomes into a session outcome.
//! An update makes a new version; a session keeps a copy of the version it started with.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::document::DocumentType;
use super::flow_session::{ADDRESS_DOCUMENT_TYPES, DOCUMENT_TYPES, FLOW_CHECK_TYPES};
use crate::checks::CheckType;
use crate::checks::input::{CheckOptions, parse_options};
use crate::checks::kinds::Link;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader};

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 2000;
const MAX_TASKS: usize = 20;
const MAX_POLICIES: usize = 20;
const MAX_TASK_ID: usize = 40;

wire_enum! {
    /// What one step of a workflow does.
    pub enum TaskType {
        /// The client agrees to the checks (always the first task).
        Consent = "consent",
        /// An identity document, front and back as its type needs.
        DocumentCapture = "document_capture",
        /// A live photo.
        Selfie = "selfie",
        /// A live video with its challenges.
        Video = "video",
        /// A proof-of-address document (utility bill, bank statement, tax document).
        AddressCapture = "address_capture",
        /// A check run on what was captured.
        Check = "check",
    }
}

wire_enum! {
    /// What a matched compliance policy decides.
    pub enum Decision {
        Review = "review",
        Decline = "decline",
    }
}

wire_enum! {
    /// A workflow session's outcome: the most severe decision of the policies its checks
    /// matched, `clear` when none matched.
    pub enum SessionOutcome {
        Clear = "clear",
        Review = "review",
        Decline = "decline",
    }
}

/// The check outcomes a policy can name; `failed` is a check that ended `failed`.
pub const POLICY_OUTCOMES: [&str; 6] = [
    "clear",
    "attention",
    "not_processed",
    "rejected",
    "match_confirmed",
    "failed",
];

/// One step of a workflow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Unique in the template; given or assigned (`task_1`, …). Sessions name tasks by it.
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: TaskType,
    /// For `check` tasks: which check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_type: Option<CheckType>,
    /// For `check` tasks: the check's options, as `POST /v1/checks` takes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<CheckOptions>,
    /// For `check` tasks on screening: monitor the client after the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_monitoring: Option<bool>,
    /// For capture tasks: the document types offered (all of the task's kinds when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_types: Option<Vec<DocumentType>>,
}

/// A rule turning checks' outcomes into a decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompliancePolicy {
    pub name: String,
    /// The check type the rule looks at; every check of the session when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_type: Option<CheckType>,
    /// The check outcomes that trigger it (`attention`, `failed`, …).
    pub outcomes: Vec<String>,
    /// `review` or `decline`.
    pub decision: Decision,
}

/// A workflow template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTemplate {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub tasks: Vec<Task>,
    /// Without policies given, one: any check not `clear` needs review.
    #[serde(default)]
    pub compliance_policies: Vec<CompliancePolicy>,
    /// Starts at 1; each update that changes the template adds one. Sessions record the
    /// version they run.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub version: u32,
}

impl WorkflowTemplate {
    /// The check tasks, in order.
    pub fn check_tasks(&self) -> impl Iterator<Item = (&Task, CheckType)> {
        self.tasks.iter().filter_map(|t| {
            t.check_type
                .filter(|_| t.kind == TaskType::Check)
                .map(|c| (t, c))
        })
    }

    /// The outcome of a session whose checks ended as given (`(type, outcome)`, where a failed
    /// check's outcome is `failed`), with the names of the policies that decided it.
    pub fn decide<'a>(
        &'a self,
        checks: &[(CheckType, &str)],
    ) -> (SessionOutcome, Vec<&'a CompliancePolicy>) {
        let matched: Vec<&CompliancePolicy> = self
            .compliance_policies
            .iter()
            .filter(|p| {
                checks.iter().any(|(t, o)| {
                    p.check_type.is_none_or(|pt| pt == *t) && p.outcomes.iter().any(|po| po == o)
                })
            })
            .collect();
        let outcome = if matched.iter().any(|p| p.decision == Decision::Decline) {
            SessionOutcome::Decline
        } else if matched.is_empty() {
            SessionOutcome::Clear
        } else {
            SessionOutcome::Review
        };
        (outcome, matched)
    }
}

/// The policy a template gets when none is given.
fn default_policies() -> Vec<CompliancePolicy> {
    vec![CompliancePolicy {
        name: "Any check that is not clear needs review".into(),
        check_type: None,
        outcomes: POLICY_OUTCOMES[1..].iter().map(|s| s.to_string()).collect(),
        decision: Decision::Review,
    }]
}

/// Validates a create request.
pub fn validate_create(input: &Map<String, Value>) -> Result<WorkflowTemplate> {
    let r = Reader::new(input);
    refuse_unknown(&r, &["name", "description", "tasks", "compliancePolicies"])?;
    let tasks = tasks(&r)?.ok_or_else(|| r.missing("tasks"))?;
    let compliance_policies = policies(&r, &tasks)?.unwrap_or_else(default_policies);
    Ok(WorkflowTemplate {
        name: r.req_str("name", MAX_NAME)?,
        description: r.opt_str("description", MAX_DESCRIPTION)?,
        tasks,
        compliance_policies,
        version: 1,
    })
}

/// Applies an update: the fields given replace the stored ones (`tasks` and
/// `compliancePolicies` as wholes); the version grows when anything changed.
pub fn validate_update(
    existing: &WorkflowTemplate,
    patch: &Map<String, Value>,
) -> Result<WorkflowTemplate> {
    let r = Reader::new(patch);
    refuse_unknown(&r, &["name", "description", "tasks", "compliancePolicies"])?;
    let mut next = existing.clone();
    if let Some(name) = r.opt_str("name", MAX_NAME)? {
        next.name = name;
    }
    if r.raw("description").is_some() {
        next.description = r.opt_str("description", MAX_DESCRIPTION)?;
    }
    if let Some(tasks) = tasks(&r)? {
        next.tasks = tasks;
    }
    match policies(&r, &next.tasks)? {
        Some(policies) => next.compliance_policies = policies,
        // Policies naming a check type the new tasks dropped no longer apply.
        None => {
            let types: Vec<CheckType> = next.check_tasks().map(|(_, t)| t).collect();
            if let Some(p) = next
                .compliance_policies
                .iter()
                .find(|p| p.check_type.is_some_and(|t| !types.contains(&t)))
            {
                return Err(CoreError::invalid(
                    "compliancePolicies",
                    format!(
                        "The policy '{}' names a check the new tasks no longer run: send 'compliancePolicies' too",
                        p.name
                    ),
                ));
            }
        }
    }
    if next != *existing {
        next.version = existing.version + 1;
    }
    Ok(next)
}

fn refuse_unknown(r: &Reader<'_>, known: &[&str]) -> Result<()> {
    match r.keys().into_iter().find(|k| !known.contains(&k.as_str())) {
        Some(k) => {
            let p = r.param(&k);
            Err(CoreError::invalid(
                &p,
                format!("'{p}' is not a field of this object"),
            ))
        }
        None => Ok(()),
    }
}

/// The objects of an array field, each read with its indexed name (`tasks[2]`).
fn objects<'a>(r: &Reader<'a>, key: &str, max: usize) -> Result<Option<Vec<Reader<'a>>>> {
    let Some(value) = r.raw(key) else {
        return Ok(None);
    };
    let p = r.param(key);
    let items = value
        .as_array()
        .ok_or_else(|| CoreError::invalid(&p, format!("'{p}' must be an array")))?;
    if items.len() > max {
        return Err(CoreError::invalid(
            &p,
            format!("'{p}' holds at most {max} items"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = format!("{p}[{i}]");
            item.as_object()
                .map(|o| Reader::nested(o, name.clone()))
                .ok_or_else(|| CoreError::invalid(&name, format!("'{name}' must be an object")))
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

fn tasks(r: &Reader<'_>) -> Result<Option<Vec<Task>>> {
    let Some(items) = objects(r, "tasks", MAX_TASKS)? else {
        return Ok(None);
    };
    let mut tasks: Vec<Task> = Vec::with_capacity(items.len());
    for (i, t) in items.iter().enumerate() {
        refuse_unknown(
            t,
            &[
                "id",
                "type",
                "checkType",
                "options",
                "enableMonitoring",
                "documentTypes",
            ],
        )?;
        let kind = t
            .opt_enum("type", TaskType::NAMES)?
            .and_then(|k| TaskType::parse(&k))
            .ok_or_else(|| t.missing("type"))?;
        let id = match t.opt_str("id", MAX_TASK_ID)? {
            Some(id) => {
                if !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                {
                    let p = t.param("id");
                    return Err(CoreError::invalid(
                        &p,
                        format!("'{p}' may hold only letters, digits, '_' and '-'"),
                    ));
                }
                id
            }
            None => format!("task_{}", i + 1),
        };
        if tasks.iter().any(|other| other.id == id) {
            let p = t.param("id");
            return Err(CoreError::invalid(
                &p,
                format!("'{p}' repeats the id '{id}'"),
            ));
        }
        let check_types: Vec<&str> = FLOW_CHECK_TYPES.iter().map(|c| c.as_str()).collect();
        let check_type = t
            .opt_enum("checkType", &check_types)?
            .and_then(|c| CheckType::parse(&c));
        let only_checks = |key: &str| -> Result<()> {
            if kind != TaskType::Check && t.raw(key).is_some() {
                let p = t.param(key);
                return Err(CoreError::invalid(
                    &p,
                    format!("'{p}' belongs to tasks of type 'check'"),
                ));
            }
            Ok(())
        };
        only_checks("checkType")?;
        only_checks("options")?;
        only_checks("enableMonitoring")?;
        let options = match (check_type, t.opt_object("options")?) {
            (Some(c), Some(o)) => Some(parse_options(c, &o)?),
            _ => None,
        };
        let enable_monitoring = t.opt_bool("enableMonitoring")?;
        if kind == TaskType::Check {
            let c = check_type.ok_or_else(|| t.missing("checkType"))?;
            if enable_monitoring == Some(true) && !c.is_screening() {
                let p = t.param("enableMonitoring");
                return Err(CoreError::invalid(
                    &p,
                    format!("'{p}' is only available for screening checks"),
                ));
            }
            if tasks.iter().any(|other| other.check_type == Some(c)) {
                let p = t.param("checkType");
                return Err(CoreError::invalid(
                    &p,
                    format!("'{p}': a workflow runs each check type once"),
                ));
            }
            if let Some(missing) = missing_capture(&tasks, c) {
                let p = t.param("checkType");
                return Err(CoreError::invalid(
                    &p,
                    format!(
                        "'{p}': a {} needs a '{}' task before it",
                        c.as_str(),
                        missing.as_str()
                    ),
                ));
            }
        }
        let document_types = document_types(t, kind)?;
        tasks.push(Task {
            id,
            kind,
            check_type,
            options,
            enable_monitoring,
            document_types,
        });
    }
    match tasks.first() {
        Some(first) if first.kind == TaskType::Consent => {}
        _ => {
            return Err(CoreError::invalid(
                "tasks",
                "'tasks' must start with a 'consent' task: checks are made only with the client's agreement",
            ));
        }
    }
    if tasks.iter().filter(|t| t.kind == TaskType::Consent).count() > 1 {
        return Err(CoreError::invalid(
            "tasks",
            "'tasks' holds one 'consent' task",
        ));
    }
    if !tasks.iter().any(|t| t.kind == TaskType::Check) {
        return Err(CoreError::invalid(
            "tasks",
            "'tasks' must hold at least one task of type 'check'",
        ));
    }
    Ok(Some(tasks))
}

/// The capture a check type needs that no earlier task makes.
fn missing_capture(earlier: &[Task], check: CheckType) -> Option<TaskType> {
    let has = |kind| earlier.iter().any(|t| t.kind == kind);
    let document = match check {
        CheckType::ProofOfAddress => TaskType::AddressCapture,
        _ => TaskType::DocumentCapture,
    };
    [
        (check.document(), document),
        (check.live_photo(), TaskType::Selfie),
        (check.live_video(), TaskType::Video),
    ]
    .into_iter()
    .find(|(rule, kind)| *rule == Link::Required && !has(*kind))
    .map(|(_, kind)| kind)
}

fn document_types(t: &Reader<'_>, kind: TaskType) -> Result<Option<Vec<DocumentType>>> {
    let Some(value) = t.raw("documentTypes") else {
        return Ok(None);
    };
    let p = t.param("documentTypes");
    let offered: &[DocumentType] = match kind {
        TaskType::DocumentCapture => &DOCUMENT_TYPES,
        TaskType::AddressCapture => &ADDRESS_DOCUMENT_TYPES,
        _ => {
            return Err(CoreError::invalid(
                &p,
                format!("'{p}' belongs to capture tasks"),
            ));
        }
    };
    let names: Vec<&str> = offered.iter().map(|d| d.as_str()).collect();
    let bad = || {
        CoreError::invalid(
            &p,
            format!("'{p}' must be a non-empty array of: {}", names.join(", ")),
        )
    };
    let items = value.as_array().filter(|a| !a.is_empty()).ok_or_else(bad)?;
    let mut out = Vec::new();
    for item in items {
        let d = item
            .as_str()
            .and_then(DocumentType::parse)
            .filter(|d| offered.contains(d))
            .ok_or_else(bad)?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(Some(out))
}

fn policies(r: &Reader<'_>, tasks: &[Task]) -> Result<Option<Vec<CompliancePolicy>>> {
    let Some(items) = objects(r, "compliancePolicies", MAX_POLICIES)? else {
        return Ok(None);
    };
    let run: Vec<CheckType> = tasks.iter().filter_map(|t| t.check_type).collect();
    let mut out = Vec::with_capacity(items.len());
    for p in &items {
        refuse_unknown(p, &["name", "checkType", "outcomes", "decision"])?;
        let check_names: Vec<&str> = CheckType::ALL.iter().map(|c| c.as_str()).collect();
        let check_type = p
            .opt_enum("checkType", &check_names)?
            .and_then(|c| CheckType::parse(&c));
        if let Some(c) = check_type
            && !run.contains(&c)
        {
            let param = p.param("checkType");
            return Err(CoreError::invalid(
                &param,
                format!("'{param}': the tasks run no {}", c.as_str()),
            ));
        }
        let param = p.param("outcomes");
        let bad = || {
            CoreError::invalid(
                &param,
                format!(
                    "'{param}' must be a non-empty array of: {}",
                    POLICY_OUTCOMES.join(", ")
                ),
            )
        };
        let outcomes = p
            .raw("outcomes")
            .ok_or_else(|| p.missing("outcomes"))?
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(bad)?
            .iter()
            .map(|o| {
                o.as_str()
                    .filter(|o| POLICY_OUTCOMES.contains(o))
                    .map(str::to_string)
                    .ok_or_else(bad)
            })
            .collect::<Result<Vec<_>>>()?;
        let decision = p
            .opt_enum("decision", Decision::NAMES)?
            .and_then(|d| Decision::parse(&d))
            .ok_or_else(|| p.missing("decision"))?;
        out.push(CompliancePolicy {
            name: p.req_str("name", MAX_TEXT)?,
            check_type,
            outcomes,
            decision,
        });
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(v: Value) -> Result<WorkflowTemplate> {
        validate_create(v.as_object().expect("object"))
    }

    fn onboarding() -> Value {
        json!({"name": "Onboarding", "tasks": [
            {"type": "consent"},
            {"type": "document_capture", "documentTypes": ["passport"]},
            {"type": "selfie"},
            {"type": "check", "checkType": "document_check"},
            {"type": "check", "checkType": "identity_check"},
            {"id": "aml", "type": "check", "checkType": "standard_screening_check",
             "options": {"screeningNameSearchMode": "precise"}, "enableMonitoring": true}
        ], "compliancePolicies": [
            {"name": "Sanctions decline", "checkType": "standard_screening_check",
             "outcomes": ["attention"], "decision": "decline"},
            {"name": "Anything else reviewed", "outcomes": ["attention", "not_processed", "failed"],
             "decision": "review"}
        ]})
    }

    #[test]
    fn a_template_is_read_with_ids_assigned_and_checks_in_order() {
        let t = create(onboarding()).expect("valid");
        let ids: Vec<&str> = t.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            ["task_1", "task_2", "task_3", "task_4", "task_5", "aml"]
        );
        let checks: Vec<CheckType> = t.check_tasks().map(|(_, c)| c).collect();
        assert_eq!(
            checks,
            [
                CheckType::Document,
                CheckType::Identity,
                CheckType::StandardScreening
            ]
        );
        assert_eq!(t.version, 1);
    }

    #[test]
    fn policies_decide_the_most_severe_outcome() {
        let t = create(onboarding()).expect("valid");
        let (o, _) = t.decide(&[
            (CheckType::Document, "clear"),
            (CheckType::Identity, "clear"),
        ]);
        assert_eq!(o, SessionOutcome::Clear);
        let (o, by) = t.decide(&[(CheckType::Document, "attention")]);
        assert_eq!((o, by.len()), (SessionOutcome::Review, 1));
        let (o, by) = t.decide(&[
            (CheckType::Document, "attention"),
            (CheckType::StandardScreening, "attention"),
        ]);
        assert_eq!((o, by.len()), (SessionOutcome::Decline, 2));
    }

    #[test]
    fn without_policies_anything_not_clear_is_reviewed() {
        let mut v = onboarding();
        v.as_object_mut()
            .expect("object")
            .remove("compliancePolicies");
        let t = create(v).expect("valid");
        assert_eq!(
            t.decide(&[(CheckType::Document, "clear")]).0,
            SessionOutcome::Clear
        );
        assert_eq!(
            t.decide(&[(CheckType::Document, "failed")]).0,
            SessionOutcome::Review
        );
    }

    #[test]
    fn bad_templates_name_the_field() {
        let param = |v: Value| match create(v) {
            Err(CoreError::Invalid { param, .. }) => param,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            param(
                json!({"name": "x", "tasks": [{"type": "check", "checkType": "document_check"}]})
            ),
            Some("tasks[0].checkType".into()),
            "a document check needs a capture before it"
        );
        assert_eq!(
            param(json!({"name": "x", "tasks": [{"type": "selfie"}, {"type": "consent"}]})),
            Some("tasks".into())
        );
        assert_eq!(
            param(json!({"name": "x", "tasks": [{"type": "consent"},
                {"type": "check", "checkType": "multi_bureau_check"}]})),
            Some("tasks[1].checkType".into())
        );
        assert_eq!(
            param(json!({"name": "x", "tasks": [{"type": "consent"},
                {"type": "check", "checkType": "standard_screening_check", "options": {"minimumPermittedAge": 18}}]})),
            Some("tasks[1].options.minimumPermittedAge".into())
        );
        let mut v = onboarding();
        v["compliancePolicies"][0]["checkType"] = json!("age_estimation_check");
        assert_eq!(param(v), Some("compliancePolicies[0].checkType".into()));
        let mut v = onboarding();
        v["tasks"][5]["id"] = json!("task_2");
        assert_eq!(param(v), Some("tasks[5].id".into()));
    }

    #[test]
    fn an_update_that_changes_something_is_a_new_version() {
        let t = create(onboarding()).expect("valid");
        let same = validate_update(&t, json!({"name": "Onboarding"}).as_object().expect("o"))
            .expect("valid");
        assert_eq!(same.version, 1);
        let renamed =
            validate_update(&t, json!({"name": "KYC"}).as_object().expect("o")).expect("valid");
        assert_eq!((renamed.version, renamed.name.as_str()), (2, "KYC"));
        // Dropping the screening task strands the policy that names it.
        let fewer = json!({"tasks": [{"type": "consent"},
            {"type": "document_capture"}, {"type": "check", "checkType": "document_check"}]});
        assert!(validate_update(&t, fewer.as_object().expect("o")).is_err());
    }
}
