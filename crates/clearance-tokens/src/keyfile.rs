//! The key file: a key set in JSON, readable by its owner only (0600), in a folder only its
//! owner can enter (0700). Created on first use; rewritten atomically on rotation.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use crate::jwt::{KeySet, TokenError};

/// Errors reading or writing the key file.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: {source}")]
    Invalid { path: String, source: TokenError },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads the key set at `path`, creating it (with one fresh key) when the file does not exist.
/// Two processes starting at once agree on one file: creation is exclusive, and the loser reads
/// the winner's keys.
pub fn load_or_create(path: &Path, now: i64) -> Result<KeySet, KeyFileError> {
    match fs::read_to_string(path) {
        Ok(text) => return parse(path, &text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(path)(e)),
    }
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(io_error(dir))?;
    }
    let keys = KeySet::generate(now);
    // Written whole to a file of this process's own, then linked into place: the link fails if
    // another process got there first, so no reader ever sees a half-written key file, and a
    // crash leaves at most a stray temporary file.
    let tmp = temporary(path);
    write_private(&tmp, &keys.to_json(), true).map_err(io_error(&tmp))?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(path).map_err(io_error(path))?;
            Ok(keys)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let text = fs::read_to_string(path).map_err(io_error(path))?;
            parse(path, &text)
        }
        Err(e) => Err(io_error(path)(e)),
    }
}

/// A temporary name next to `path`, unique to this process and moment.
fn temporary(path: &Path) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    path.with_extension(format!("tmp.{}.{nanos}", std::process::id()))
}

/// Makes a rename or link in `path`'s folder durable.
fn sync_dir(path: &Path) -> io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => fs::File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

/// Adds a new signing key to the file at `path` (creating it if needed) and returns the set.
pub fn rotate(path: &Path, now: i64) -> Result<(KeySet, String), KeyFileError> {
    let mut keys = load_or_create(path, now)?;
    let kid = keys.rotate(now);
    let tmp = temporary(path);
    write_private(&tmp, &keys.to_json(), true).map_err(io_error(&tmp))?;
    fs::rename(&tmp, path).map_err(io_error(path))?;
    sync_dir(path).map_err(io_error(path))?;
    Ok((keys, kid))
}

fn parse(path: &Path, text: &str) -> Result<KeySet, KeyFileError> {
    KeySet::from_json(text).map_err(|source| KeyFileError::Invalid {
        path: path.display().to_string(),
        source,
    })
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn write_private(path: &Path, text: &str, create_new: bool) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(create_new);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::{Binding, SdkClaims};

    #[test]
    fn the_file_is_created_once_privately_and_rotation_keeps_old_tokens_valid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens").join("keys.json");
        let first = load_or_create(&path, 1_000).unwrap();
        let again = load_or_create(&path, 2_000).unwrap();
        assert_eq!(
            first.keys()[0].kid,
            again.keys()[0].kid,
            "read back, not recreated"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dir_mode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
        let claims = SdkClaims::new(
            "a",
            "test",
            "c",
            Binding::AppId("com.example.app".into()),
            1_000,
        );
        let token = first.sign(&claims).unwrap();
        let (rotated, kid) = rotate(&path, 1_100).unwrap();
        assert_eq!(rotated.keys().last().unwrap().kid, kid);
        let reread = load_or_create(&path, 1_200).unwrap();
        assert_eq!(reread.keys().len(), 2);
        assert!(reread.verify(&token, 1_200).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "still private after rotation");
        }
    }

    #[test]
    fn processes_starting_together_agree_and_never_read_half_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens").join("keys.json");
        let kids: Vec<String> = std::thread::scope(|s| {
            let starts: Vec<_> = (0..16)
                .map(|n| {
                    let path = &path;
                    s.spawn(move || load_or_create(path, 1_000 + n))
                })
                .collect();
            starts
                .into_iter()
                .map(|t| {
                    t.join()
                        .unwrap()
                        .expect("every start reads a whole file")
                        .keys()[0]
                        .kid
                        .clone()
                })
                .collect()
        });
        assert!(kids.iter().all(|k| *k == kids[0]), "{kids:?}");
        let strays: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(strays, ["keys.json"], "no temporary file left behind");
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_silent_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.json");
        fs::write(&path, "{}").unwrap();
        assert!(matches!(
            load_or_create(&path, 1),
            Err(KeyFileError::Invalid { .. })
        ));
    }
}
