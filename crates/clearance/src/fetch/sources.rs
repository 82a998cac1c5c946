//! The list sources Clearance can download, each from its publisher's official URL unless the
//! operator names a mirror.

use clearance_screening::{Format, SourceList};

/// One file of a source: its name at the publisher and the name the importer reads.
#[derive(Debug)]
pub struct RemoteFile {
    pub remote: &'static str,
    pub local: &'static str,
    /// A missing file (404) is read as empty: OFAC's comment files hold overflow remarks
    /// only, and mirrors often leave them out.
    pub optional: bool,
}

/// A list a publisher offers for download.
#[derive(Debug)]
pub struct Source {
    /// What operators type: `ofac-sdn`, `un-sc`, …
    pub code: &'static str,
    pub format: Format,
    /// The engine's source, whose default list name a fetched version is stored under (the
    /// name the shipped snapshot uses too, so a fetch replaces it).
    pub list: SourceList,
    /// For a source of several files, the folder URL the file names are appended to; for a
    /// single file, that file's URL.
    pub default_url: &'static str,
    pub files: &'static [RemoteFile],
}

const fn file(remote: &'static str, local: &'static str) -> RemoteFile {
    RemoteFile {
        remote,
        local,
        optional: false,
    }
}

const fn optional(remote: &'static str, local: &'static str) -> RemoteFile {
    RemoteFile {
        remote,
        local,
        optional: true,
    }
}

/// OFAC's Sanctions List Service, which the legacy `treasury.gov/ofac/downloads/` URLs now
/// redirect to.
const OFAC_EXPORTS: &str =
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/";

/// Every source `clearance lists fetch` knows (official URLs: README, "Fetching lists").
pub const SOURCES: &[Source] = &[
    Source {
        code: "ofac-sdn",
        format: Format::OfacCsv,
        list: SourceList::UsOfacSdn,
        default_url: OFAC_EXPORTS,
        files: &[
            file("SDN.CSV", "sdn.csv"),
            file("ALT.CSV", "alt.csv"),
            file("ADD.CSV", "add.csv"),
            optional("SDN_COMMENTS.CSV", "sdn_comments.csv"),
        ],
    },
    Source {
        code: "ofac-cons",
        format: Format::OfacCsv,
        list: SourceList::UsOfacCons,
        default_url: OFAC_EXPORTS,
        files: &[
            file("CONS_PRIM.CSV", "cons_prim.csv"),
            file("CONS_ALT.CSV", "cons_alt.csv"),
            file("CONS_ADD.CSV", "cons_add.csv"),
            optional("CONS_COMMENTS.CSV", "cons_comments.csv"),
        ],
    },
    Source {
        code: "un-sc",
        format: Format::UnXml,
        list: SourceList::UnSc,
        default_url: "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        files: &[file("consolidated.xml", "consolidated.xml")],
    },
    Source {
        code: "uk-ofsi",
        format: Format::UkOfsiCsv,
        list: SourceList::UkOfsi,
        default_url: "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
        files: &[file("ConList.csv", "ConList.csv")],
    },
    Source {
        code: "eu-fsf",
        format: Format::EuFsfXml,
        list: SourceList::EuFsf,
        // The token is the portal's public one, which the FSF site itself links to.
        default_url: "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
        files: &[file("xmlFullSanctionsList_1_1.xml", "eu_fsf.xml")],
    },
];

/// The source named `code`.
///
/// # Errors
/// An unknown code, with the known ones.
pub fn source(code: &str) -> Result<&'static Source, String> {
    SOURCES
        .iter()
        .find(|s| s.code == code.trim())
        .ok_or_else(|| {
            let known: Vec<&str> = SOURCES.iter().map(|s| s.code).collect();
            format!(
                "no list source is called '{code}' (known: {})",
                known.join(", ")
            )
        })
}

impl Source {
    /// Whether the source is several files under one folder URL.
    pub fn is_folder(&self) -> bool {
        self.files.len() > 1
    }

    /// Each file's URL under `base` (the configured URL, or the publisher's).
    pub fn file_url(&self, base: &str, file: &RemoteFile) -> String {
        if self.is_folder() {
            format!("{}/{}", base.trim_end_matches('/'), file.remote)
        } else {
            base.to_owned()
        }
    }

    /// The path the importer reads, under the folder the files were written to.
    pub fn entry<'a>(&self, folder: &'a std::path::Path) -> std::borrow::Cow<'a, std::path::Path> {
        if self.is_folder() {
            folder.into()
        } else {
            folder.join(self.files[0].local).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_per_file() {
        let sdn = source("ofac-sdn").expect("known");
        assert_eq!(
            sdn.file_url("https://mirror.example/ofac/", &sdn.files[0]),
            "https://mirror.example/ofac/SDN.CSV"
        );
        assert_eq!(
            sdn.file_url(sdn.default_url, &sdn.files[1]),
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ALT.CSV"
        );
        let un = source("un-sc").expect("known");
        assert_eq!(
            un.file_url("http://x/un.xml", &un.files[0]),
            "http://x/un.xml"
        );
        assert!(source("nope").unwrap_err().contains("ofac-sdn, ofac-cons"));
        // Every source's importer writes distinct local files.
        for s in SOURCES {
            let mut locals: Vec<_> = s.files.iter().map(|f| f.local).collect();
            locals.dedup();
            assert_eq!(locals.len(), s.files.len(), "{}", s.code);
        }
    }
}
