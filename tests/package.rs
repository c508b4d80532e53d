//! The Debian package (`cargo deb`, metadata in Cargo.toml) installs the
//! binary, both units, the sysusers.d and tmpfiles.d files, the default config
//! as a conffile only root and the postured group can read, and the README; its
//! scripts create the user and leave the service to be enabled by hand; debug
//! symbols go to a separate dbgsym package.
//!
//! The package is made from the binary these tests run (the dev profile under
//! `cargo test`, the release one under `cargo test --release`), which checks the
//! packaging without another build; `cargo deb` makes the release package from
//! the same metadata.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The cargo profile that built the binary under test: its folder under
/// `target/` is the profile's name, but `debug` for `dev`.
fn profile() -> String {
    let dir = Path::new(env!("CARGO_BIN_EXE_postured"))
        .parent()
        .and_then(Path::file_name)
        .and_then(|d| d.to_str())
        .expect("the binary's folder");
    match dir {
        "debug" => "dev".to_owned(),
        other => other.to_owned(),
    }
}

#[test]
fn the_debian_package_holds_the_binary_units_config_and_docs() {
    if !common::tool_available("cargo", &["deb", "--version"])
        || !common::tool_available("dpkg-deb", &["--version"])
    {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("deb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let made = run(Command::new("cargo")
        .args([
            "deb",
            "--no-build",
            "--profile",
            &profile(),
            "--fast",
            "--output",
        ])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    let deb = made
        .lines()
        .map(PathBuf::from)
        .find(|p| p.starts_with(&dir) && p.extension().is_some_and(|e| e == "deb"))
        .unwrap_or_else(|| panic!("no .deb made: {made}"));

    let listing = run(Command::new("dpkg-deb").arg("-c").arg(&deb));
    println!("dpkg-deb -c {}:\n{listing}", deb.display());
    let entry = |path: &str| {
        listing
            .lines()
            .find(|l| l.ends_with(&format!(" .{path}")))
            .map(|l| l.split_whitespace().next().unwrap_or("").to_owned())
            .unwrap_or_else(|| panic!("{path} is not in the package"))
    };
    for (path, mode) in [
        ("/usr/bin/postured", "-rwxr-xr-x"),
        ("/usr/lib/systemd/system/postured.service", "-rw-r--r--"),
        ("/usr/lib/systemd/user/postured.service", "-rw-r--r--"),
        ("/usr/lib/sysusers.d/postured.conf", "-rw-r--r--"),
        ("/usr/lib/tmpfiles.d/postured.conf", "-rw-r--r--"),
        ("/etc/postured/config.toml", "-rw-r-----"),
        ("/usr/share/doc/postured/README.md", "-rw-r--r--"),
        ("/usr/share/doc/postured/copyright", "-rw-r--r--"),
    ] {
        assert_eq!(entry(path), mode, "{path}");
    }

    // The files are the repository's, and the binary runs.
    let root = dir.join("root");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root));
    for (installed, source) in [
        (
            "usr/lib/systemd/system/postured.service",
            "systemd/postured.service",
        ),
        (
            "usr/lib/systemd/user/postured.service",
            "systemd/user/postured.service",
        ),
        (
            "usr/lib/sysusers.d/postured.conf",
            "systemd/sysusers.d/postured.conf",
        ),
        (
            "usr/lib/tmpfiles.d/postured.conf",
            "systemd/tmpfiles.d/postured.conf",
        ),
        ("etc/postured/config.toml", "src/config/default.toml"),
    ] {
        assert_eq!(
            std::fs::read_to_string(root.join(installed)).unwrap(),
            std::fs::read_to_string(repo(source)).unwrap(),
            "{installed}"
        );
    }
    let version = run(Command::new(root.join("usr/bin/postured")).arg("--version"));
    assert_eq!(
        version.trim(),
        format!("postured {}", env!("CARGO_PKG_VERSION"))
    );

    // The config is a conffile; the scripts make the user and the config
    // directory, and neither enable nor start the service.
    let conffiles = run(Command::new("dpkg-deb")
        .arg("-I")
        .arg(&deb)
        .arg("conffiles"));
    assert_eq!(conffiles.trim(), "/etc/postured/config.toml");
    let postinst = run(Command::new("dpkg-deb").arg("-I").arg(&deb).arg("postinst"));
    let sysusers = postinst.find("systemd-sysusers").expect(&postinst);
    let tmpfiles = postinst
        .find("systemd-tmpfiles --create postured.conf")
        .expect(&postinst);
    assert!(sysusers < tmpfiles, "{postinst}");
    assert!(
        !postinst.contains("_dh_action=start") && !postinst.contains("deb-systemd-invoke start"),
        "{postinst}"
    );
    let control = run(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Depends"));
    assert!(control.contains("systemd-sysusers"), "{control}");

    // Debug symbols go to their own package.
    assert!(!listing.contains("/usr/lib/debug/"), "{listing}");
    assert!(
        made.lines().any(|l| l.ends_with(".ddeb")),
        "no dbgsym package: {made}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
