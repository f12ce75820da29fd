//! The one place that writes files: atomically, so a failure leaves the previous file intact
//! and no temporary file behind.
//!
//! A file is first staged (written in full to a temporary file beside its target), then
//! committed (synced to disk and renamed into place). Staging many files before committing
//! any makes a set of files change together: `rota export` replaces a thousand feeds, and a
//! failure while writing them leaves every old feed as it was.

use std::fs::TryLockError;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use tempfile::TempPath;

use crate::error::{Error, Result};

/// Puts out a file's bytes.
pub type Writer<'a> = Box<dyn Fn(&mut dyn Write) -> std::io::Result<()> + Sync + 'a>;

/// What a published file holds.
pub enum Contents<'a> {
    /// What a writer puts out, called once to compare with the file in place and once more
    /// to stage it if it differs. Writing as it goes spares holding a large feed in memory.
    Written(Writer<'a>),
    /// Stretches of other files of the same set, copied once those are staged.
    Joined(Joined),
    /// Put together from the bytes of other files of the same set once those are staged.
    Assembled(Assembled<'a>),
}

/// A file put together from other files of its set (each a [`Contents::Written`] one): `write`
/// is handed their bytes, in the order of `sources`. A person's feed holds a few of the
/// rotations' feeds' events, which are copied rather than rendered a second time.
pub struct Assembled<'a> {
    pub sources: Vec<usize>,
    pub write: Assembler<'a>,
}

/// Puts out an assembled file's bytes from those of its sources.
pub type Assembler<'a> = Box<dyn Fn(&[&[u8]], &mut dyn Write) -> std::io::Result<()> + Sync + 'a>;

/// A file made of a head, stretches of other files of its set, and a tail: the team's feed
/// holds every rotation's feed's events, and copying them costs a fraction of rendering them
/// again.
pub struct Joined {
    pub head: Vec<u8>,
    pub parts: Vec<Part>,
    pub tail: Vec<u8>,
}

/// The bytes of the `file`-th file of the set (a [`Contents::Written`] one) less its first
/// `skip` and its last `trim` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    pub file: usize,
    pub skip: u64,
    pub trim: u64,
}

/// One file of a set published together: its name in the folder and its contents.
pub struct Publication<'a> {
    pub name: String,
    pub contents: Contents<'a>,
}

impl<'a> Publication<'a> {
    pub fn new(
        name: impl Into<String>,
        write: impl Fn(&mut dyn Write) -> std::io::Result<()> + Sync + 'a,
    ) -> Self {
        Publication {
            name: name.into(),
            contents: Contents::Written(Box::new(write)),
        }
    }

    /// A file whose bytes are at hand.
    pub fn bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Publication::new(name, move |out| out.write_all(&bytes))
    }

    pub fn joined(name: impl Into<String>, joined: Joined) -> Self {
        Publication {
            name: name.into(),
            contents: Contents::Joined(joined),
        }
    }

    pub fn assembled(
        name: impl Into<String>,
        sources: Vec<usize>,
        write: impl Fn(&[&[u8]], &mut dyn Write) -> std::io::Result<()> + Sync + 'a,
    ) -> Self {
        Publication {
            name: name.into(),
            contents: Contents::Assembled(Assembled {
                sources,
                write: Box::new(write),
            }),
        }
    }
}

impl Contents<'_> {
    /// The files of the set this one is made from: none for a written file.
    fn sources(&self) -> Vec<usize> {
        match self {
            Contents::Written(_) => Vec::new(),
            Contents::Joined(joined) => joined.parts.iter().map(|p| p.file).collect(),
            Contents::Assembled(assembled) => assembled.sources.clone(),
        }
    }
}

/// What [`publish`] did, by file name, each list in the order it was given.
#[derive(Debug, Default)]
pub struct Report {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
}

/// Publishes a set of files into `dir` (created if missing) as one change: every file that
/// differs from the one in place is staged in full, then all are committed with one sync,
/// then the files named in `remove` are deleted. A file that already holds its contents is
/// left untouched. A failure before the commit changes nothing; files of the folder that are
/// not named are left alone. Files are staged on all cores, each writer taking the next file
/// as it finishes one, since one feed (the team's) can be as large as all the others together.
///
/// Temporary files of an earlier run that was killed part-way are removed first. Two runs
/// publishing into one folder take turns.
pub fn publish(dir: &Path, files: &[Publication], remove: &[String]) -> Result<Report> {
    preflight(dir, files)?;
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, &e, dir))?;
    let turn = FolderLock::take(dir);
    remove_stale_temporaries(dir, turn.0.is_some());

    let queue = schedule(files);
    let next = AtomicUsize::new(0);
    let board = Board::new(files.len());
    let writer = || {
        let _unstuck = Unstuck(&board);
        let mut recent = Recent::default();
        while !board.failed() {
            let Some(&ix) = queue.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let file = &files[ix];
            let path = dir.join(&file.name);
            let done = match &file.contents {
                Contents::Written(write) => place(&path, write),
                made_of => match board.sources(dir, files, &made_of.sources()) {
                    None => break,
                    Some(sources) => match made_of {
                        Contents::Joined(joined) => place_joined(&path, joined, &sources),
                        Contents::Assembled(assembled) => {
                            place_assembled(&path, assembled, &sources, &mut recent)
                        }
                        Contents::Written(_) => unreachable!("written files have no sources"),
                    },
                },
            };
            board.record(ix, done.map_err(|e| (path, e)));
        }
    };
    let writers = crate::parallel::cores().min(files.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..writers {
            scope.spawn(writer);
        }
    });
    let Progress { done, failure } = board.finish();
    if let Some((path, e)) = failure {
        // Dropping the staged files deletes them.
        return Err(cannot_write(&path, &e, dir));
    }
    let mut published = Report::default();
    let mut staged = Vec::new();
    for (file, done) in files.iter().zip(done) {
        match done {
            Done::Staged(s) => {
                published.written.push(file.name.clone());
                staged.push(s);
            }
            Done::Unchanged | Done::Pending => published.unchanged.push(file.name.clone()),
        }
    }
    commit(staged).map_err(|failed| {
        Error::failed(
            format!("cannot write `{}`: {}", failed.path.display(), failed.error),
            format!(
                "check that `{}` is a folder you can write to; \
                 {} of {} files were replaced, the others are unchanged",
                dir.display(),
                failed.replaced,
                files.len()
            ),
        )
    })?;
    for name in remove {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => published.removed.push(name.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::failed(
                    format!("cannot remove `{}`: {e}", path.display()),
                    "check that you may delete files in that folder; the other files are written",
                ));
            }
        }
    }
    if !published.removed.is_empty() {
        sync_folder(dir);
    }
    Ok(published)
}

/// The order files are staged in: the written files as given, then the files made of others
/// as given, so that a writer taking one waits only for files already taken, and the large
/// ones made of many (the team's feed) are under way while the others are made.
fn schedule(files: &[Publication]) -> Vec<usize> {
    let written = |file: &Publication| matches!(file.contents, Contents::Written(_));
    for file in files.iter().filter(|f| !written(f)) {
        // A writer waiting for a file made of others could wait for one queued after it.
        if !file.contents.sources().iter().all(|&s| written(&files[s])) {
            panic!(
                "{} is made of a file that is not written: a bug in rota",
                file.name
            )
        }
    }
    let (mut queue, made): (Vec<usize>, Vec<usize>) =
        (0..files.len()).partition(|&ix| written(&files[ix]));
    queue.extend(made);
    queue
}

/// Stages `path` with what `write` puts out, unless it holds that already.
fn place(
    path: &Path,
    write: impl Fn(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Done> {
    if holds(path, &write) {
        return Ok(Done::Unchanged);
    }
    stage(path, write).map(Done::Staged)
}

/// Stages the joined file `path`, its parts copied from the files at `sources`, unless it
/// holds that already.
fn place_joined(path: &Path, joined: &Joined, sources: &[PathBuf]) -> std::io::Result<Done> {
    if holds(path, |out| put_joined(joined, sources, out)) {
        return Ok(Done::Unchanged);
    }
    stage_file(path, |file| put_joined(joined, sources, file)).map(Done::Staged)
}

/// Stages the assembled file `path` from the files at `sources`, unless it holds that already.
fn place_assembled(
    path: &Path,
    assembled: &Assembled,
    sources: &[PathBuf],
    recent: &mut Recent,
) -> std::io::Result<Done> {
    let bytes = sources
        .iter()
        .map(|source| recent.read(source))
        .collect::<std::io::Result<Vec<_>>>()?;
    let bytes: Vec<&[u8]> = bytes.iter().map(|b| b.as_slice()).collect();
    place(path, |out| (assembled.write)(&bytes, out))
}

/// The files a writer read last: the files assembled one after another mostly share their
/// sources (a team's people, its rotations' feeds), which are then read once, not once each.
#[derive(Default)]
struct Recent(Vec<(PathBuf, std::rc::Rc<Vec<u8>>)>);

impl Recent {
    const KEPT: usize = 16;

    fn read(&mut self, path: &Path) -> std::io::Result<std::rc::Rc<Vec<u8>>> {
        if let Some((_, bytes)) = self.0.iter().find(|(p, _)| p == path) {
            return Ok(bytes.clone());
        }
        let bytes = std::rc::Rc::new(std::fs::read(path)?);
        if self.0.len() == Self::KEPT {
            self.0.remove(0);
        }
        self.0.push((path.to_path_buf(), bytes.clone()));
        Ok(bytes)
    }
}

/// Puts out a joined file, its parts copied from the files at `sources`: from file to file
/// without passing through rota where the system can (`copy_file_range` on Linux).
fn put_joined<W: Write + ?Sized>(
    joined: &Joined,
    sources: &[PathBuf],
    out: &mut W,
) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    out.write_all(&joined.head)?;
    for (part, path) in joined.parts.iter().zip(sources) {
        let mut file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        let keep = len.checked_sub(part.skip + part.trim).ok_or_else(|| {
            std::io::Error::other(format!(
                "{} is shorter than its head and tail",
                path.display()
            ))
        })?;
        file.seek(SeekFrom::Start(part.skip))?;
        let mut stretch = BufReader::with_capacity(256 * 1024, file.take(keep));
        if std::io::copy(&mut stretch, out)? != keep {
            return Err(std::io::Error::other(format!(
                "{} changed while it was copied",
                path.display()
            )));
        }
    }
    out.write_all(&joined.tail)
}

/// What became of one file of a set.
enum Done {
    Pending,
    Unchanged,
    Staged(Staged),
}

/// A file that could not be staged, and why.
type Failure = (PathBuf, std::io::Error);

/// Held by each writer: one that panics stops the others, so that none is left waiting for a
/// file it will never get (the panic then goes on once all have stopped).
struct Unstuck<'b>(&'b Board);

impl Drop for Unstuck<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let stopped = std::io::Error::other("a writer stopped");
            self.0.record(usize::MAX, Err((PathBuf::new(), stopped)));
        }
    }
}

/// The files of a set as the writers get through them, for a file made of others to wait for
/// them.
struct Board {
    state: Mutex<Progress>,
    changed: Condvar,
}

struct Progress {
    /// By file.
    done: Vec<Done>,
    /// The first failure; the writers stop at it.
    failure: Option<Failure>,
}

impl Board {
    fn new(files: usize) -> Self {
        let done = std::iter::repeat_with(|| Done::Pending)
            .take(files)
            .collect();
        Board {
            state: Mutex::new(Progress {
                done,
                failure: None,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn failed(&self) -> bool {
        self.lock().failure.is_some()
    }

    fn record(&self, ix: usize, done: std::result::Result<Done, Failure>) {
        let mut state = self.lock();
        match done {
            Ok(done) => state.done[ix] = done,
            Err(failure) => {
                state.failure.get_or_insert(failure);
            }
        }
        self.changed.notify_all();
    }

    /// Where the files `sources` (of `files`) are once they are done: staged, or unchanged in
    /// `dir`. `None` once any file of the set failed.
    fn sources(
        &self,
        dir: &Path,
        files: &[Publication],
        sources: &[usize],
    ) -> Option<Vec<PathBuf>> {
        let mut state = self.lock();
        loop {
            if state.failure.is_some() {
                return None;
            }
            let pending = |&file: &usize| matches!(state.done[file], Done::Pending);
            if !sources.iter().any(pending) {
                let sources = sources.iter().map(|&file| match &state.done[file] {
                    Done::Staged(s) => s.temp.to_path_buf(),
                    _ => dir.join(&files[file].name),
                });
                return Some(sources.collect());
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn finish(self) -> Progress {
        self.state.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

fn cannot_write(path: &Path, e: &std::io::Error, dir: &Path) -> Error {
    Error::failed(
        format!("cannot write `{}`: {e}", path.display()),
        format!(
            "check that `{}` is a folder you can write to, with room for the files; \
             no file was replaced",
            dir.display()
        ),
    )
}

/// The failures that can be seen coming are reported before any file is replaced: `dir`
/// naming a file, or a folder standing where a file goes, so that publishing fails whole.
fn preflight(dir: &Path, files: &[Publication]) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::failed(
            format!("`{}` is a file, not a folder", dir.display()),
            "pass a folder to write the files into (it is created if missing)",
        ));
    }
    if let Some(blocked) = files.iter().map(|f| dir.join(&f.name)).find(|p| p.is_dir()) {
        return Err(Error::failed(
            format!(
                "cannot write `{}`: a folder is in the way",
                blocked.display()
            ),
            "move that folder away; no file was replaced",
        ));
    }
    Ok(())
}

/// Temporary files are named `.rota-<target>.<random>.tmp`, so that one left behind says
/// what it was and is recognised as ours.
const TEMP_PREFIX: &str = ".rota-";
const TEMP_SUFFIX: &str = ".tmp";

/// A lock on a folder, held while files are published into it, so that a run can tell the
/// temporary files it finds from those of a run still writing. Advisory (`flock` on the
/// folder itself, no lock file beside the feeds); released when the process ends, even on a
/// crash.
struct FolderLock(Option<std::fs::File>);

impl FolderLock {
    /// Waits for another run publishing into `dir` to finish. Where folders cannot be locked
    /// this holds nothing, and stale temporary files are recognised by age instead.
    fn take(dir: &Path) -> Self {
        let Ok(folder) = std::fs::File::open(dir) else {
            return FolderLock(None);
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match folder.try_lock() {
                Ok(()) => return FolderLock(Some(folder)),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(_) => return FolderLock(None),
            }
        }
    }
}

/// Removes the temporary files of earlier runs that were killed while staging. With the
/// folder locked, every one there is stale; without a lock, only those untouched for an hour
/// (no run stages a file for that long).
fn remove_stale_temporaries(dir: &Path, locked: bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if meta.is_file() && (locked || old) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` to `path` via a synced temporary file in the same folder, renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Writes what `write` puts out to `path` the same way, for a file too large to hold in memory
/// at once. If `write` fails, the previous file stays.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    commit(vec![stage(path, write)?]).map_err(|failed| failed.error)
}

/// Writes `bytes` to a new file at `path`, all or nothing, and never over an existing file
/// (then the error is `AlreadyExists`), even one created by another process meanwhile.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = tempfile::Builder::new()
        .prefix(".rota-")
        .suffix(".tmp")
        .tempfile_in(folder(path))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    publishable(temp.as_file(), path)?;
    temp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// Checks that `bytes` could be written beside `path` and synced to disk, without touching
/// `path`: a scratch file is written, synced and deleted. A read-only or full file system
/// fails here.
pub fn probe(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let scratch = stage(path, |out| out.write_all(bytes))?;
    sync(std::slice::from_ref(&scratch)).map_err(|(_, e)| e)
}

/// A file written in full beside its target, not yet in place. Dropping it deletes it.
pub struct Staged {
    temp: TempPath,
    target: PathBuf,
}

/// Writes what `write` puts out to a temporary file in `path`'s folder (created if missing).
/// Nothing is synced yet and the target is untouched.
pub fn stage(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Staged> {
    stage_file(path, |file| {
        let mut buffered = BufWriter::with_capacity(256 * 1024, file);
        write(&mut buffered)?;
        buffered.flush()
    })
}

/// As [`stage`], writing to the temporary file itself: copies from other files then stay in
/// the kernel.
fn stage_file(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<Staged> {
    let dir = folder(path);
    // Dropping the temporary file on any error below deletes it.
    let target = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let prefix = format!("{TEMP_PREFIX}{target}.");
    let temporary = || {
        tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir)
    };
    // The folder is made only when missing: an export stages thousands of files in one.
    let mut file = match temporary() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)?;
            temporary()?
        }
        made => made?,
    };
    publishable(file.as_file(), path)?;
    write(file.as_file_mut())?;
    start_writeback(file.as_file());
    // Closed now: an export stages more files than a process may hold open.
    Ok(Staged {
        temp: file.into_temp_path(),
        target: path.to_path_buf(),
    })
}

/// Whether `path` is a file holding exactly what `write` puts out. It is compared as it is put
/// out, stopping at the first difference: rewriting a file with the same bytes would only
/// churn the disk, and change its modification time, which web servers hand to calendar apps
/// to tell whether a subscribed feed changed.
pub fn holds(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut old = Compare(BufReader::with_capacity(256 * 1024, file));
    write(&mut old).is_ok() && old.0.fill_buf().is_ok_and(|rest| rest.is_empty())
}

/// A writer that compares what is written with what a reader holds, failing where they differ.
struct Compare<R>(R);

impl<R: BufRead> Write for Compare<R> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let old = self.0.fill_buf()?;
        let n = old.len().min(buf.len());
        if n == 0 && !buf.is_empty() || old[..n] != buf[..n] {
            return Err(std::io::Error::other("the contents differ"));
        }
        self.0.consume(n);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A commit that stopped part-way: `replaced` files are in place, the others unchanged.
#[derive(Debug)]
pub struct CommitFailed {
    pub path: PathBuf,
    pub error: std::io::Error,
    pub replaced: usize,
}

/// Puts staged files in place: all are synced to disk first, so that a crash cannot leave a
/// renamed but empty file, then each is renamed over its target, then the folders are synced
/// so that the renames last. A failure before the first rename replaces nothing.
pub fn commit(staged: Vec<Staged>) -> Result<(), CommitFailed> {
    let fail = |path: &Path, error, replaced| CommitFailed {
        path: path.to_path_buf(),
        error,
        replaced,
    };
    if let Err((path, error)) = sync(&staged) {
        return Err(fail(&path, error, 0));
    }
    let mut folders: Vec<PathBuf> = Vec::new();
    for (replaced, file) in staged.into_iter().enumerate() {
        let Staged { temp, target } = file;
        if let Err(e) = temp.persist(&target) {
            return Err(fail(&target, e.error, replaced));
        }
        let dir = folder(&target);
        if !folders.iter().any(|f| f == dir) {
            folders.push(dir.to_path_buf());
        }
    }
    for dir in folders {
        sync_folder(&dir);
    }
    Ok(())
}

/// Syncs a folder's entries, so that renames and deletions in it last.
pub(super) fn sync_folder(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Beyond this many files one sync of the whole file system beats a sync per file, each of
/// which waits for its own journal commit.
#[cfg(target_os = "linux")]
const MANY: usize = 16;

/// Syncs the staged files' contents to disk.
fn sync(staged: &[Staged]) -> Result<(), (PathBuf, std::io::Error)> {
    #[cfg(target_os = "linux")]
    if staged.len() > MANY {
        // Temporary files share their targets' folders, which for an export is one folder.
        let mut folders: Vec<&Path> = staged.iter().map(|s| folder(&s.target)).collect();
        folders.dedup();
        for dir in folders {
            let synced = std::fs::File::open(dir)
                .and_then(|d| rustix::fs::syncfs(&d).map_err(std::io::Error::from));
            synced.map_err(|e| (dir.to_path_buf(), e))?;
        }
        return Ok(());
    }
    for s in staged {
        let synced = std::fs::File::open(&s.temp).and_then(|f| f.sync_all());
        synced.map_err(|e| (s.target.clone(), e))?;
    }
    Ok(())
}

/// Asks the system to start writing the file to disk now, while the next ones are written, so
/// that the sync in [`commit`] has little left to wait for. Only a hint: errors are ignored.
fn start_writeback(file: &std::fs::File) {
    // On Linux, dropping a file's pages from the cache first starts their writeback.
    #[cfg(target_os = "linux")]
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

pub(super) fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Temporary files are private (0600), but what we write is often published (web servers serve
/// calendar feeds), so the result keeps the mode of the file it replaces, or gets 0644.
#[cfg(unix)]
fn publishable(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let permissions = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.permissions(),
        _ => std::fs::Permissions::from_mode(0o644),
    };
    file.set_permissions(permissions)
}

#[cfg(not(unix))]
fn publishable(_file: &std::fs::File, _path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_rename_keeps_the_old_target_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("team.ics");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), b"x").unwrap();
        assert!(write_atomic(&target, b"new").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["team.ics"]);
        assert!(target.join("keep").exists());
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_world_readable_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("team.ics");
        write_atomic(&target, b"one").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), 0o644);
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(mode(&target), 0o600);
    }

    #[test]
    fn a_failing_writer_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/state.json");
        write_atomic(&target, b"first").unwrap();
        let failed = write_atomic_with(&target, |out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        assert_eq!(
            std::fs::read_dir(target.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn staged_files_replace_nothing_until_committed_and_vanish_if_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<_> = (0..40)
            .map(|i| dir.path().join(format!("f{i}.ics")))
            .collect();
        for name in &names {
            std::fs::write(name, b"old").unwrap();
        }
        let staged: Vec<Staged> = names
            .iter()
            .map(|n| stage(n, |out| out.write_all(b"new")).unwrap())
            .collect();
        assert!(names.iter().all(|n| std::fs::read(n).unwrap() == b"old"));
        drop(staged);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), names.len());

        // More files than are synced one by one: the whole file system is synced instead.
        let staged = names
            .iter()
            .map(|n| stage(n, |out| out.write_all(b"new")).unwrap())
            .collect();
        commit(staged).unwrap();
        assert!(names.iter().all(|n| std::fs::read(n).unwrap() == b"new"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), names.len());
    }

    #[test]
    fn a_file_holds_only_exactly_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.ics");
        let long: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &long).unwrap();
        let writes = |pieces: Vec<Vec<u8>>| {
            move |out: &mut dyn Write| pieces.iter().try_for_each(|p| out.write_all(p))
        };
        let (head, tail) = long.split_at(300_001);
        assert!(holds(&path, writes(vec![head.to_vec(), tail.to_vec()])));
        assert!(!holds(&path, writes(vec![head.to_vec()])), "shorter");
        assert!(
            !holds(&path, writes(vec![long.clone(), b"x".to_vec()])),
            "longer"
        );
        let mut changed = long.clone();
        changed[999_999] ^= 1;
        assert!(!holds(&path, writes(vec![changed])), "last byte");
        assert!(!holds(&dir.path().join("missing.ics"), writes(vec![])));
        assert!(!holds(dir.path(), writes(vec![])), "a folder");
    }

    #[test]
    fn publishing_removes_the_temporary_files_of_a_killed_run_and_skips_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".rota-team.ics.a1B2c3.tmp");
        std::fs::write(&stale, b"half a feed").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"not ours").unwrap();
        std::fs::write(dir.path().join("old.ics"), b"gone").unwrap();
        let files = [
            Publication::bytes("team.ics", b"feed".to_vec()),
            Publication::bytes("index.html", b"<html>".to_vec()),
        ];
        let first = publish(dir.path(), &files, &["old.ics".to_string()]).unwrap();
        assert_eq!(first.written, ["team.ics", "index.html"]);
        assert_eq!(first.removed, ["old.ics"]);
        assert!(!stale.exists(), "a stale temporary file is removed");
        let again = publish(dir.path(), &files, &[]).unwrap();
        assert!(again.written.is_empty());
        assert_eq!(again.unchanged.len(), 2);
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["index.html", "notes.txt", "team.ics"]);
    }

    #[test]
    fn a_joined_file_copies_the_stretches_of_its_parts_and_changes_with_them() {
        let dir = tempfile::tempdir().unwrap();
        let set = |a: &'static [u8], b: &'static [u8]| {
            let part = |file| Part {
                file,
                skip: 2,
                trim: 1,
            };
            let joined = Joined {
                head: b"<".to_vec(),
                parts: vec![part(2), part(0)],
                tail: b">".to_vec(),
            };
            vec![
                Publication::bytes("a", a.to_vec()),
                Publication::joined("all", joined),
                Publication::bytes("b", b.to_vec()),
            ]
        };
        let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
        let first = publish(dir.path(), &set(b"h:one;", b"h:two;"), &[]).unwrap();
        assert_eq!(first.written, ["a", "all", "b"]);
        assert_eq!(read("all"), b"<twoone>");

        let again = publish(dir.path(), &set(b"h:one;", b"h:two;"), &[]).unwrap();
        assert!(again.written.is_empty(), "{again:?}");
        // An unchanged part is copied from the file in place.
        let changed = publish(dir.path(), &set(b"h:one;", b"h:three;"), &[]).unwrap();
        assert_eq!(changed.written, ["all", "b"]);
        assert_eq!(read("all"), b"<threeone>");
        assert_eq!(read("a"), b"h:one;");
    }

    #[test]
    fn an_assembled_file_is_made_from_its_sources_bytes_and_changes_with_them() {
        let dir = tempfile::tempdir().unwrap();
        // The sources come after the file made of them, and one of them twice.
        let set = |a: &'static [u8], b: &'static [u8]| {
            let uppercase = |bytes: &[&[u8]], out: &mut dyn Write| {
                for source in bytes {
                    out.write_all(&source.to_ascii_uppercase())?;
                    out.write_all(b"|")?;
                }
                Ok(())
            };
            vec![
                Publication::assembled("made", vec![2, 1, 2], uppercase),
                Publication::bytes("a", a.to_vec()),
                Publication::bytes("b", b.to_vec()),
                Publication::assembled("none", Vec::new(), uppercase),
            ]
        };
        let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
        let first = publish(dir.path(), &set(b"one", b"two"), &[]).unwrap();
        assert_eq!(first.written, ["made", "a", "b", "none"]);
        assert_eq!(read("made"), b"TWO|ONE|TWO|");
        assert_eq!(read("none"), b"");

        let again = publish(dir.path(), &set(b"one", b"two"), &[]).unwrap();
        assert!(again.written.is_empty(), "{again:?}");
        // An unchanged source is read from the file in place.
        let changed = publish(dir.path(), &set(b"one", b"three"), &[]).unwrap();
        assert_eq!(changed.written, ["made", "b"]);
        assert_eq!(read("made"), b"THREE|ONE|THREE|");
    }

    #[test]
    fn a_failed_source_fails_the_assembled_file_and_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("made"), b"old").unwrap();
        let files = [
            Publication::new("a", |out: &mut dyn Write| {
                out.write_all(b"half")?;
                Err(std::io::Error::other("disk full"))
            }),
            Publication::assembled("made", vec![0], |bytes, out| out.write_all(bytes[0])),
        ];
        assert!(publish(dir.path(), &files, &[]).is_err());
        assert_eq!(std::fs::read(dir.path().join("made")).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// A joined file that is the first file of its set, whole.
    fn whole_of_first() -> Joined {
        Joined {
            head: Vec::new(),
            parts: vec![Part {
                file: 0,
                skip: 0,
                trim: 0,
            }],
            tail: Vec::new(),
        }
    }

    #[test]
    fn a_writer_that_panics_leaves_no_joined_file_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let joined = whole_of_first();
            let files = [
                Publication::new("a", |_: &mut dyn Write| -> std::io::Result<()> {
                    std::thread::sleep(Duration::from_millis(50));
                    panic!("a bug")
                }),
                Publication::joined("all", joined),
            ];
            let run = std::panic::AssertUnwindSafe(|| publish(&path, &files, &[]));
            let _ = done.send(std::panic::catch_unwind(run).is_err());
        });
        let panicked = finished.recv_timeout(Duration::from_secs(20));
        assert_eq!(
            panicked,
            Ok(true),
            "publishing must end, and the panic go on"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_failed_part_fails_the_joined_file_and_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("all"), b"old").unwrap();
        let joined = whole_of_first();
        let files = [
            Publication::new("a", |out: &mut dyn Write| {
                out.write_all(b"half")?;
                Err(std::io::Error::other("disk full"))
            }),
            Publication::joined("all", joined),
        ];
        assert!(publish(dir.path(), &files, &[]).is_err());
        assert_eq!(std::fs::read(dir.path().join("all")).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
