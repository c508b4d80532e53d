//! Where a recording's bytes come from: a file or standard input (`-`), gunzipped
//! when they start with gzip's magic bytes, counted for a progress display.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::RecordingError;
use super::stream::Samples;

/// The name standard input goes by on the command line.
pub const STDIN: &str = "-";

/// Counts the bytes read through it into a shared cell.
struct Counted<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// `src`, decompressed if it is gzip (recognised by its first bytes, not its name).
fn maybe_gunzip<'r>(
    src: impl Read + 'r,
    path: &Path,
) -> Result<Box<dyn Read + 'r>, RecordingError> {
    let mut buffered = BufReader::with_capacity(64 * 1024, src);
    let head = buffered.fill_buf().map_err(|reason| RecordingError::Io {
        path: path.to_owned(),
        reason,
    })?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    })
}

fn open_file(path: &Path, read: &Rc<Cell<u64>>) -> Result<Box<dyn Read>, RecordingError> {
    let file = std::fs::File::open(path).map_err(|reason| RecordingError::Io {
        path: path.to_owned(),
        reason,
    })?;
    maybe_gunzip(
        Counted {
            inner: file,
            read: Rc::clone(read),
        },
        path,
    )
}

/// A recording opened for streaming, and its size on disk when known.
#[derive(Debug)]
pub struct Opened {
    /// The samples.
    pub samples: Samples<'static>,
    /// The file's size in bytes (compressed, if it is); `None` for standard input.
    pub len: Option<u64>,
}

/// Opens a recording file, or standard input for `-`. A MetaWear accelerometer
/// export is joined with the gyroscope export beside it, if there is one.
pub fn open(path: &Path) -> Result<Opened, RecordingError> {
    let read = Rc::new(Cell::new(0));
    if path.as_os_str() == STDIN {
        let stdin = Counted {
            inner: std::io::stdin().lock(),
            read: Rc::clone(&read),
        };
        let src = maybe_gunzip(stdin, Path::new("<stdin>"))?;
        let samples = Samples::new(src, Path::new("<stdin>"), None, read)?;
        return Ok(Opened { samples, len: None });
    }
    let len = std::fs::metadata(path).ok().map(|m| m.len());
    let src = open_file(path, &read)?;
    let gyro = match super::format::metawear_gyro_beside(path) {
        // Its bytes are not counted: progress follows the accelerometer file.
        Some(g) => Some((open_file(&g, &Rc::new(Cell::new(0)))?, g)),
        None => None,
    };
    let samples = Samples::new(src, path, gyro, read)?;
    Ok(Opened { samples, len })
}

/// Opens `path` and its MetaWear gyroscope partner as given (for tests and
/// readers of in-memory data).
pub fn from_readers<'r>(
    src: impl Read + 'r,
    path: &Path,
    gyro: Option<(Box<dyn Read + 'r>, PathBuf)>,
) -> Result<Samples<'r>, RecordingError> {
    let src = maybe_gunzip(src, path)?;
    let gyro = match gyro {
        Some((g, p)) => Some((maybe_gunzip(g, &p)?, p)),
        None => None,
    };
    Samples::new(src, path, gyro, Rc::new(Cell::new(0)))
}
