//! GLEIF Level 2 relationship records (RR-CDF XML): the consolidation parents of entities, as
//! LEI pairs (companies are known by country and number, so the caller joins them by `lei`).

use std::io::BufRead;

use super::super::{ParseError, ParseReport};
use super::{below, walk};

/// A consolidation parent from the relationship file: companies are known by country and
/// number, so the caller joins these to companies by their `lei`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeiRelationship {
    pub child_lei: String,
    pub parent_lei: String,
    /// `IS_DIRECTLY_CONSOLIDATED_BY` or `IS_ULTIMATELY_CONSOLIDATED_BY`.
    pub relationship_type: String,
}

/// Reads a relationship (RR-CDF) file: the active consolidation parents, child first.
pub fn read_relationships(
    reader: impl BufRead,
    emit: &mut dyn FnMut(LeiRelationship),
) -> Result<ParseReport, ParseError> {
    #[derive(Default)]
    struct Rr {
        start: String,
        end: String,
        kind: String,
        status: String,
    }
    let mut report = ParseReport::default();
    let rr = std::cell::RefCell::new(Rr::default());
    walk(
        reader,
        |path, _| {
            if path.last().map(String::as_str) == Some("RelationshipRecord") {
                *rr.borrow_mut() = Rr::default();
            }
        },
        |path, text| {
            if path.last().map(String::as_str) == Some("RelationshipRecord") {
                let r = std::mem::take(&mut *rr.borrow_mut());
                let consolidation = matches!(
                    r.kind.as_str(),
                    "IS_DIRECTLY_CONSOLIDATED_BY" | "IS_ULTIMATELY_CONSOLIDATED_BY"
                );
                if !consolidation || r.status == "INACTIVE" {
                    return;
                }
                if r.start.is_empty() || r.end.is_empty() {
                    report.refuse(format!("{}: a relationship without both LEIs", r.kind));
                    return;
                }
                report.emitted += 1;
                emit(LeiRelationship {
                    child_lei: r.start,
                    parent_lei: r.end,
                    relationship_type: r.kind,
                });
                return;
            }
            let Some(rel) = below(path, "RelationshipRecord") else {
                return;
            };
            let mut r = rr.borrow_mut();
            match rel.as_str() {
                "Relationship/StartNode/NodeID" => r.start = text.to_string(),
                "Relationship/EndNode/NodeID" => r.end = text.to_string(),
                "Relationship/RelationshipType" => r.kind = text.to_string(),
                "Relationship/RelationshipStatus" => r.status = text.to_string(),
                _ => {}
            }
        },
    )?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/registries/gleif/rr_2023-06-05_sample10.xml"
    );

    #[test]
    fn reads_consolidation_parents() {
        let bytes = std::fs::read(FILE).unwrap();
        let mut out = Vec::new();
        let report = read_relationships(&bytes[..], &mut |r| out.push(r)).unwrap();
        assert_eq!(report.emitted, 2);
        assert_eq!(
            out[0],
            LeiRelationship {
                child_lei: "010CMKZ3VON21WF2ZD45".into(),
                parent_lei: "ZZG38T0MDR3QY1ETUA76".into(),
                relationship_type: "IS_DIRECTLY_CONSOLIDATED_BY".into(),
            }
        );
        assert_eq!(out[1].parent_lei, "3C7474T6CDKPR9K6YT90");
    }

    #[test]
    fn garbage_never_panics() {
        for bytes in super::super::super::common::garbage(300) {
            let _ = read_relationships(&bytes[..], &mut |_| {});
        }
    }
}
