// Command verifyrelease checks a GoReleaser dist/ folder against what the Terraform Registry
// requires of a provider release, before anything is published. scripts/release-check.sh runs it
// (`make release-check`); it reads only the files it is given.
//
// A release of version V for targets T is accepted when:
//
//  1. dist/ holds exactly one zip per target, terraform-provider-cliq_V_<os>_<arch>.zip, and no
//     other zip;
//  2. each zip holds terraform-provider-cliq_vV (.exe on Windows), executable, and LICENSE, and
//     nothing else;
//  3. each binary was built for its zip's platform and without cgo; ELF binaries (Linux, FreeBSD)
//     have no interpreter and need no shared library, Darwin binaries link only macOS's own
//     libraries (under /usr/lib and /System/Library), and Windows binaries import kernel32.dll
//     alone, as every Go binary without cgo does;
//  4. terraform-provider-cliq_V_SHA256SUMS lists every zip and terraform-provider-cliq_V_manifest.json,
//     nothing else, each with its SHA-256 (the manifest's is that of the committed
//     terraform-registry-manifest.json);
//  5. the manifest is version 1 and names protocol 6.0 alone.
//
// With -h1 ZIP it prints instead the h1: hash Terraform records for that zip in
// .terraform.lock.hcl, so that the caller can check the lock file of a real `terraform init`.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

const project = "terraform-provider-cliq"

func main() {
	dist := flag.String("dist", "dist", "GoReleaser's dist folder")
	version := flag.String("version", "", "released version, without the leading v (e.g. 0.1.0)")
	targets := flag.String("targets", "", "space-separated <os>_<arch> targets the release must hold, each exactly once")
	manifest := flag.String("manifest", "terraform-registry-manifest.json", "the committed registry manifest")
	h1 := flag.String("h1", "", "print the h1: hash Terraform records for this zip, and check nothing")
	flag.Parse()

	if *h1 != "" {
		sum, err := zipH1(*h1)
		if err != nil {
			fail(err)
		}
		fmt.Println(sum)
		return
	}
	if *version == "" || strings.TrimSpace(*targets) == "" {
		fail(errors.New("-version and -targets are required"))
	}
	report, err := verify(*dist, *version, strings.Fields(*targets), *manifest)
	if err != nil {
		fail(err)
	}
	for _, line := range report {
		fmt.Println(line)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "verifyrelease: %v\n", err)
	os.Exit(1)
}

// verify runs checks 1 to 5 of the package comment and returns one line per verified file.
func verify(dist, version string, targets []string, manifestPath string) ([]string, error) {
	if strings.HasPrefix(version, "v") {
		return nil, fmt.Errorf("version %q: give it without the leading v", version)
	}
	var report []string

	// 1. One zip per target, named as the registry requires, and no other.
	want := map[string]string{} // zip name -> target
	for _, t := range targets {
		goos, goarch, ok := strings.Cut(t, "_")
		if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "_") {
			return nil, fmt.Errorf("target %q is not <os>_<arch>", t)
		}
		want[fmt.Sprintf("%s_%s_%s.zip", project, version, t)] = t
	}
	entries, err := os.ReadDir(dist)
	if err != nil {
		return nil, err
	}
	var got []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".zip") {
			got = append(got, e.Name())
		}
	}
	var missing, unexpected []string
	for name := range want {
		if !slices.Contains(got, name) {
			missing = append(missing, name)
		}
	}
	for _, name := range got {
		if _, ok := want[name]; !ok {
			unexpected = append(unexpected, name)
		}
	}
	if len(missing) > 0 || len(unexpected) > 0 {
		sort.Strings(missing)
		sort.Strings(unexpected)
		return nil, fmt.Errorf("zips in %s: missing %q, unexpected %q (want exactly %s_%s_<os>_<arch>.zip for %v)",
			dist, missing, unexpected, project, version, targets)
	}

	// 2 and 3. What each zip holds, and how its binary was built.
	sort.Strings(got)
	for _, name := range got {
		goos, goarch, _ := strings.Cut(want[name], "_")
		line, err := checkZip(filepath.Join(dist, name), version, goos, goarch)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		report = append(report, name+": "+line)
	}

	// 4. SHA256SUMS covers every zip and the manifest, and only them.
	manifest, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, err
	}
	manifestName := fmt.Sprintf("%s_%s_manifest.json", project, version)
	sumsName := fmt.Sprintf("%s_%s_SHA256SUMS", project, version)
	sums, err := readSums(filepath.Join(dist, sumsName))
	if err != nil {
		return nil, err
	}
	wantSums := map[string]string{manifestName: sha256Hex(manifest)}
	for _, name := range got {
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			return nil, err
		}
		wantSums[name] = sha256Hex(data)
	}
	for name, sum := range wantSums {
		switch listed, ok := sums[name]; {
		case !ok:
			return nil, fmt.Errorf("%s does not list %s", sumsName, name)
		case listed != sum:
			return nil, fmt.Errorf("%s lists %s with %s, but its SHA-256 is %s", sumsName, name, listed, sum)
		}
	}
	for name := range sums {
		if _, ok := wantSums[name]; !ok {
			return nil, fmt.Errorf("%s lists %s, which is neither a zip of this release nor its manifest", sumsName, name)
		}
	}
	report = append(report, fmt.Sprintf("%s: lists the %d zips and %s, every hash right", sumsName, len(got), manifestName))

	// 5. The manifest names protocol 6.0.
	if err := checkManifest(manifest); err != nil {
		return nil, fmt.Errorf("%s: %w", manifestPath, err)
	}
	report = append(report, manifestName+": version 1, protocol_versions [\"6.0\"]")
	return report, nil
}

// checkZip checks what one platform's zip holds and how its binary was built.
func checkZip(path, version, goos, goarch string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = zr.Close() }()

	binName := fmt.Sprintf("%s_v%s", project, version)
	if goos == "windows" {
		binName += ".exe"
	}
	var names []string
	var binary []byte
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name != binName {
			continue
		}
		if goos != "windows" && f.Mode().Perm()&0o111 == 0 {
			return "", fmt.Errorf("%s is not executable (mode %v)", binName, f.Mode())
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		binary, err = io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			return "", err
		}
	}
	sort.Strings(names)
	if wantNames := []string{"LICENSE", binName}; !slices.Equal(names, wantNames) {
		return "", fmt.Errorf("holds %q, want exactly %q", names, wantNames)
	}
	how, err := checkBinary(binary, goos, goarch)
	if err != nil {
		return "", fmt.Errorf("%s: %w", binName, err)
	}
	return fmt.Sprintf("%s and LICENSE; %s", binName, how), nil
}

// checkBinary checks a provider binary's build settings and, per executable format, that it needs
// no library beyond those every Go binary of its platform needs.
func checkBinary(binary []byte, goos, goarch string) (string, error) {
	info, err := buildinfo.Read(bytes.NewReader(binary))
	if err != nil {
		return "", fmt.Errorf("no Go build information: %w", err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["GOOS"] != goos || settings["GOARCH"] != goarch {
		return "", fmt.Errorf("built for %s_%s, but zipped as %s_%s", settings["GOOS"], settings["GOARCH"], goos, goarch)
	}
	if settings["CGO_ENABLED"] != "0" {
		return "", fmt.Errorf("built with CGO_ENABLED=%q: a release must not need a C library", settings["CGO_ENABLED"])
	}

	r := bytes.NewReader(binary)
	switch goos {
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			return "", err
		}
		// Go calls macOS through its system libraries even without cgo (libSystem; libresolv,
		// CoreFoundation and Security for the net and crypto/x509 packages): they are part of
		// macOS, and nothing else may be linked.
		libs, err := f.ImportedLibraries()
		if err != nil {
			return "", err
		}
		var extra []string
		for _, lib := range libs {
			if !strings.HasPrefix(lib, "/usr/lib/") && !strings.HasPrefix(lib, "/System/Library/") {
				extra = append(extra, lib)
			}
		}
		if len(extra) > 0 {
			return "", fmt.Errorf("links %q, which macOS does not provide", extra)
		}
		return fmt.Sprintf("static (no cgo; Mach-O, %d macOS system libraries only)", len(libs)), nil
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			return "", err
		}
		libs, err := f.ImportedLibraries()
		if err != nil {
			return "", err
		}
		// The Go runtime imports kernel32 and loads the rest of the system at run time.
		for i := range libs {
			libs[i] = strings.ToLower(libs[i])
		}
		if extra := without(libs, "kernel32.dll"); len(extra) > 0 {
			return "", fmt.Errorf("imports %q beyond kernel32.dll", extra)
		}
		return "static (no cgo; PE, kernel32 only)", nil
	default:
		f, err := elf.NewFile(r)
		if err != nil {
			return "", err
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				return "", errors.New("has an ELF interpreter: it is dynamically linked")
			}
		}
		libs, err := f.ImportedLibraries()
		if err != nil {
			return "", err
		}
		if len(libs) > 0 {
			return "", fmt.Errorf("needs shared libraries %q", libs)
		}
		return "static (no cgo; ELF, no interpreter, no shared library)", nil
	}
}

func without(list []string, allowed ...string) []string {
	var rest []string
	for _, s := range list {
		if !slices.Contains(allowed, s) {
			rest = append(rest, s)
		}
	}
	return rest
}

// readSums parses a SHA256SUMS file: "<hex sha256>  <name>" per line.
func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != sha256.Size*2 || name == "" {
			return nil, fmt.Errorf("%s:%d: not \"<sha256>  <file>\": %q", path, n, sc.Text())
		}
		if _, dup := sums[name]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", path, n, name)
		}
		sums[name] = sum
	}
	return sums, sc.Err()
}

// checkManifest checks the registry manifest: format version 1, plugin protocol 6.0 alone (the
// framework serves protocol 6 only).
func checkManifest(data []byte) error {
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return err
	}
	if m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		return fmt.Errorf("version %d, protocol_versions %q: want version 1 and [\"6.0\"]", m.Version, m.Metadata.ProtocolVersions)
	}
	return nil
}

// zipH1 computes the "h1:" hash Terraform records for a provider package: the dirhash
// ("Hash1") of the files the zip holds, as Go modules hash a module zip.
func zipH1(path string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = zr.Close() }()
	files := map[string]string{} // name -> hex SHA-256
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		h := sha256.New()
		_, err = io.Copy(h, rc)
		_ = rc.Close()
		if err != nil {
			return "", err
		}
		files[f.Name] = hex.EncodeToString(h.Sum(nil))
	}
	summary := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(summary, "%s  %s\n", files[name], name)
	}
	return "h1:" + base64.StdEncoding.EncodeToString(summary.Sum(nil)), nil
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
