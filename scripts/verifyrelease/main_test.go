package main

import (
	"archive/zip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	binariesMu sync.Mutex
	binaries   = map[string][]byte{}
)

// buildBinary builds a tiny program for goos/goarch as the release does (no cgo unless asked,
// main.version set), so that the checks read real build information and executable formats.
func buildBinary(t *testing.T, goos, goarch string, cgo bool) []byte {
	t.Helper()
	key := fmt.Sprintf("%s_%s_%v", goos, goarch, cgo)
	binariesMu.Lock()
	defer binariesMu.Unlock()
	if data, ok := binaries[key]; ok {
		return data
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	// net and crypto/x509, as the provider uses them: on macOS they link system libraries even
	// without cgo.
	prog := "package main\n\nimport (\n\t\"crypto/x509\"\n\t\"net\"\n)\n\nvar version = \"dev\"\n\n" +
		"func main() {\n\t_, err := x509.SystemCertPool()\n\tprintln(version, net.ParseIP(\"127.0.0.1\").String(), err)\n}\n"
	if err := os.WriteFile(src, []byte(prog), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bin")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=0.1.0", "-o", out, src)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "GOFLAGS=-buildvcs=false", fmt.Sprintf("CGO_ENABLED=%d", map[bool]int{false: 0, true: 1}[cgo]))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build a %s_%s test binary here: %v\n%s", goos, goarch, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	binaries[key] = data
	return data
}

type zipEntry struct {
	name string
	mode os.FileMode
	data []byte
}

func writeZip(t *testing.T, path string, entries ...zipEntry) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

const manifestJSON = `{"version": 1, "metadata": {"protocol_versions": ["6.0"]}}`

// release writes a dist/ folder as GoReleaser does for version 0.1.0 of linux_amd64 and
// windows_amd64, with its SHA256SUMS, and the committed manifest beside it. edit may change the
// zips' entries before they are written.
func release(t *testing.T, edit func(target string, entries []zipEntry) []zipEntry) (dist, manifest string) {
	t.Helper()
	root := t.TempDir()
	dist = filepath.Join(root, "dist")
	if err := os.Mkdir(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	manifest = filepath.Join(root, "terraform-registry-manifest.json")
	if err := os.WriteFile(manifest, []byte(manifestJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	sums := fmt.Sprintf("%s  terraform-provider-cliq_0.1.0_manifest.json\n", sha256Hex([]byte(manifestJSON)))
	for _, target := range []string{"linux_amd64", "windows_amd64"} {
		goos, goarch, _ := strings.Cut(target, "_")
		name := "terraform-provider-cliq_v0.1.0"
		if goos == "windows" {
			name += ".exe"
		}
		entries := []zipEntry{
			{name: name, mode: 0o755, data: buildBinary(t, goos, goarch, false)},
			{name: "LICENSE", mode: 0o644, data: []byte("Mozilla Public License Version 2.0\n")},
		}
		if edit != nil {
			entries = edit(target, entries)
		}
		zipName := "terraform-provider-cliq_0.1.0_" + target + ".zip"
		writeZip(t, filepath.Join(dist, zipName), entries...)
		data, err := os.ReadFile(filepath.Join(dist, zipName))
		if err != nil {
			t.Fatal(err)
		}
		sums += fmt.Sprintf("%s  %s\n", sha256Hex(data), zipName)
	}
	if err := os.WriteFile(filepath.Join(dist, "terraform-provider-cliq_0.1.0_SHA256SUMS"), []byte(sums), 0o600); err != nil {
		t.Fatal(err)
	}
	return dist, manifest
}

var targets = []string{"linux_amd64", "windows_amd64"}

func TestAReleaseAsTheRegistryRequiresIsAccepted(t *testing.T) {
	dist, manifest := release(t, nil)
	report, err := verify(dist, "0.1.0", targets, manifest)
	if err != nil {
		t.Fatal(err)
	}
	if len(report) != 4 {
		t.Fatalf("report has %d lines, want one per zip, SHA256SUMS and the manifest:\n%s", len(report), strings.Join(report, "\n"))
	}
}

// GoReleaser guessed the project name from a clone's folder or remote and wrote
// "._0.0.0-SNAPSHOT-<commit>_linux_amd64.zip": no zip of such a release passes.
func TestZipsNamedOtherwiseAreRefused(t *testing.T) {
	dist, manifest := release(t, nil)
	for _, target := range targets {
		from := filepath.Join(dist, "terraform-provider-cliq_0.1.0_"+target+".zip")
		if err := os.Rename(from, filepath.Join(dist, "._0.1.0_"+target+".zip")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := verify(dist, "0.1.0", targets, manifest); err == nil || !strings.Contains(err.Error(), `unexpected ["._0.1.0_linux_amd64.zip"`) {
		t.Fatalf("err = %v, want the misnamed zips refused", err)
	}
	// A version that is not the release's: the names do not match either.
	dist, manifest = release(t, nil)
	if _, err := verify(dist, "0.0.0-SNAPSHOT-abc1234", targets, manifest); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("err = %v, want zips of another version refused", err)
	}
	// And a platform of the configuration without its zip.
	if _, err := verify(dist, "0.1.0", append(targets, "darwin_arm64"), manifest); err == nil || !strings.Contains(err.Error(), "darwin_arm64.zip") {
		t.Fatalf("err = %v, want the missing darwin_arm64 zip named", err)
	}
}

func TestAZipHoldsTheBinaryAndTheLicenseAlone(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(string, []zipEntry) []zipEntry
		want string
	}{
		"README added": {func(_ string, e []zipEntry) []zipEntry {
			return append(e, zipEntry{name: "README.md", mode: 0o644, data: []byte("#")})
		}, `holds ["LICENSE" "README.md" "terraform-provider-cliq_v0.1.0"]`},
		"license missing": {func(_ string, e []zipEntry) []zipEntry { return e[:1] }, `holds ["terraform-provider-cliq_v0.1.0"]`},
		"binary without v": {func(_ string, e []zipEntry) []zipEntry {
			e[0].name = strings.Replace(e[0].name, "_v0.1.0", "_0.1.0", 1)
			return e
		}, `holds ["LICENSE" "terraform-provider-cliq_0.1.0"]`},
		"binary not executable": {func(target string, e []zipEntry) []zipEntry {
			if target == "linux_amd64" {
				e[0].mode = 0o644
			}
			return e
		}, "is not executable"},
		"binaries swapped": {func(target string, e []zipEntry) []zipEntry {
			other := map[string][2]string{"linux_amd64": {"windows", "amd64"}, "windows_amd64": {"linux", "amd64"}}[target]
			e[0].data = buildBinary(t, other[0], other[1], false)
			return e
		}, "built for windows_amd64, but zipped as linux_amd64"},
	} {
		t.Run(name, func(t *testing.T) {
			dist, manifest := release(t, c.edit)
			if _, err := verify(dist, "0.1.0", targets, manifest); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
		})
	}
}

func TestABinaryBuiltWithCgoIsRefused(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no C compiler to build a cgo binary with")
	}
	binary := buildBinary(t, "linux", "amd64", true)
	if _, err := checkBinary(binary, "linux", "amd64"); err == nil || !strings.Contains(err.Error(), "CGO_ENABLED") {
		t.Fatalf("err = %v, want the cgo build refused", err)
	}
}

func TestSHA256SUMSListsEveryZipAndTheManifestAlone(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(string) string
		want string
	}{
		"manifest missing": {func(s string) string {
			return strings.Join(strings.SplitAfter(s, "\n")[1:], "")
		}, "does not list terraform-provider-cliq_0.1.0_manifest.json"},
		"a zip's hash wrong": {func(s string) string {
			lines := strings.SplitAfter(s, "\n")
			for i, l := range lines {
				if strings.HasSuffix(l, "_linux_amd64.zip\n") {
					lines[i] = sha256Hex(nil) + l[64:]
				}
			}
			return strings.Join(lines, "")
		}, "lists terraform-provider-cliq_0.1.0_linux_amd64.zip with " + sha256Hex(nil)},
		"a stray file": {func(s string) string {
			return s + sha256Hex(nil) + "  terraform-provider-cliq_0.1.0_darwin_arm64.zip\n"
		}, "lists terraform-provider-cliq_0.1.0_darwin_arm64.zip, which is neither"},
		"not the committed manifest": {func(s string) string {
			return strings.Replace(s, sha256Hex([]byte(manifestJSON)), sha256Hex([]byte("{}")), 1)
		}, "lists terraform-provider-cliq_0.1.0_manifest.json with " + sha256Hex([]byte("{}"))},
	} {
		t.Run(name, func(t *testing.T) {
			dist, manifest := release(t, nil)
			path := filepath.Join(dist, "terraform-provider-cliq_0.1.0_SHA256SUMS")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(c.edit(string(data))), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := verify(dist, "0.1.0", targets, manifest); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
		})
	}
}

func TestTheManifestNamesProtocolSixAlone(t *testing.T) {
	for _, bad := range []string{
		`{"version": 1, "metadata": {"protocol_versions": ["5.0"]}}`,
		`{"version": 1, "metadata": {"protocol_versions": ["5.0", "6.0"]}}`,
		`{"version": 2, "metadata": {"protocol_versions": ["6.0"]}}`,
		`{"version": 1, "metadata": {"protocol_version": ["6.0"]}}`,
	} {
		if err := checkManifest([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	if err := checkManifest([]byte(manifestJSON)); err != nil {
		t.Fatal(err)
	}
}

// Every platform of the release, built as the release builds it, passes the executable checks:
// macOS binaries link macOS's own libraries even without cgo, Windows binaries kernel32 alone.
func TestEveryReleasePlatformIsStatic(t *testing.T) {
	for _, target := range []string{"darwin_arm64", "freebsd_386", "windows_arm64"} {
		goos, goarch, _ := strings.Cut(target, "_")
		if how, err := checkBinary(buildBinary(t, goos, goarch, false), goos, goarch); err != nil {
			t.Errorf("%s: %v", target, err)
		} else {
			t.Logf("%s: %s", target, how)
		}
	}
}
