package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// queryExamples says, for each example under examples/list-resources, what the configuration it
// generates must import from the sidebar that TestExamplesQuery sets up.
var queryExamples = map[string]struct {
	pins    func(folderID string) bool // the folders whose pins become cliq_chat_pin resources
	chatIDs bool                       // whether the generated folders carry chat_ids
}{
	// The whole sidebar, both list blocks at their defaults.
	"cliq_chat_pin/list-resource.tfquery.hcl": {pins: func(string) bool { return true }},
	// The folders alone.
	"cliq_pin_folder/list-resource.tfquery.hcl": {pins: func(string) bool { return false }},
	// Folders owning their chats, and the pins of My Pins.
	"cliq_pin_folder/list-resource_with_chat_ids.tfquery.hcl": {
		pins: func(id string) bool { return id == fakecliq.DefaultFolderID }, chatIDs: true,
	},
}

// TestExamplesQuery runs every list-resource example as the documentation says to use it, with the
// built provider against a fake sidebar of folders and pins: terraform query
// -generate-config-out, then an apply that must import everything and change nothing (no write
// reaches the server, and the server's folders and pins stay as they were), then a plan that must
// be empty.
func TestExamplesQuery(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	if cli := currentCLI(t); cli.Product != "Terraform" || !cli.atLeast(1, 14) {
		t.Skipf("terraform query needs Terraform 1.14 or later, this is %s (TestCLIMatrix runs this test under the Terraform of ../shared/tools)", cli)
	}
	root := filepath.Join(repoRoot(), "examples", "list-resources")
	files, _ := filepath.Glob(filepath.Join(root, "*", "list-resource*.tfquery.hcl"))
	seen := map[string]bool{}
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		want, ok := queryExamples[rel]
		if !ok {
			t.Errorf("%s is not tested: say in queryExamples what its generated configuration must import", rel)
			continue
		}
		seen[rel] = true
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			testQueryExample(t, file, want.pins, want.chatIDs)
		})
	}
	for rel := range queryExamples {
		if !seen[rel] {
			t.Errorf("example %s is gone", rel)
		}
	}
}

func testQueryExample(t *testing.T, file string, pinsOf func(string) bool, chatIDs bool) {
	fake, srv := fakecliq.NewTestServer(t, fakecliq.Options{RateWindow: time.Minute / 60, LockPeriod: 5 * time.Minute / 60})
	// A sidebar: My Pins, a folder with an emoji, a collapsed empty one, and a chat pinned twice.
	// Chats of every kind, with ids as Cliq issues them.
	channel, thread, bot := fake.NewChat("channel", "Releases"), fake.NewChat("thread", "Release 2.0"), fake.NewChat("bot", "Deploy bot")
	group, ada, grace := fake.NewChat("group_chat", "On-call"), fake.NewChat("direct_message", "Ada"), fake.NewChat("direct_message", "Grace")
	releases := fake.CreateFolderOOB("Releases", ":rocket:", []string{channel.ChatID, thread.ChatID, bot.ChatID})
	empty := fake.CreateFolderOOB("Someday", "", nil)
	collapsed := "collapsed"
	must(t, fake.SetFolderOOB(empty, nil, nil, &collapsed))
	fake.CreateFolderOOB("Team", "", []string{group.ChatID, ada.ChatID})
	for _, c := range []string{ada.ChatID, grace.ChatID} {
		must(t, fake.PinChatOOB(c, fakecliq.DefaultFolderID))
	}
	before := fake.Folders()

	r := newCLIRun(t, map[string]string{"CLIQ_API_URL": srv.URL, "CLIQ_ACCESS_TOKEN": fake.AccessToken(), "CLIQ_TIME_SCALE": "60"})
	must(t, os.WriteFile(filepath.Join(r.dir, "versions.tf"), []byte(requiredProviders), 0o600))
	must(t, os.WriteFile(filepath.Join(r.dir, "discover.tfquery.hcl"), []byte(mustRead(t, file)), 0o600))
	fake.ResetCounts()

	if out, err := r.terraform(nil, "query", "-generate-config-out=generated.tf", "-no-color"); err != nil {
		t.Fatalf("terraform query: %v\n%s", err, out)
	}
	generated := mustRead(t, filepath.Join(r.dir, "generated.tf"))
	if got := strings.Contains(generated, "chat_ids"); got != chatIDs {
		t.Errorf("the generated configuration sets chat_ids: %v, want %v:\n%s", got, chatIDs, generated)
	}

	// What the configuration must import: folders by id, pins by <folder_id>/<chat_id>.
	wantFolders, wantPins := map[string][]string{}, map[string]bool{}
	for _, f := range before {
		if f.ID != fakecliq.DefaultFolderID {
			wantFolders[f.ID] = f.ChatIDs
		}
		if pinsOf(f.ID) {
			for _, c := range f.ChatIDs {
				wantPins[f.ID+"/"+c] = true
			}
		}
	}
	if len(wantFolders) != 3 {
		t.Fatalf("the fake holds %d folders, want 3: the test's setup is wrong", len(wantFolders))
	}
	imports := len(wantFolders) + len(wantPins)

	out, err := r.terraform(nil, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatalf("apply of the generated configuration: %v\n%s\ngenerated.tf:\n%s", err, out, generated)
	}
	if want := fmt.Sprintf("Resources: %d imported, 0 added, 0 changed, 0 destroyed.", imports); !strings.Contains(out, want) {
		t.Errorf("the apply did not say %q:\n%s\ngenerated.tf:\n%s", want, out, generated)
	}
	for _, l := range fake.RequestLog() {
		if l.Op != fakecliq.OpListFolders {
			t.Errorf("the query and the import sent %s %s (%s): they must change nothing", l.Method, l.Path, l.Op)
		}
	}
	if after := fake.Folders(); !reflect.DeepEqual(after, before) {
		t.Errorf("the server's sidebar changed:\nbefore %+v\nafter  %+v", before, after)
	}

	out, err = r.terraform(nil, "plan", "-detailed-exitcode", "-no-color")
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 2 {
		t.Fatalf("the plan after the import is not empty:\n%s\ngenerated.tf:\n%s", out, generated)
	} else if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}

	// The state holds exactly the folders and pins of the sidebar.
	out, err = r.terraform(nil, "show", "-json")
	if err != nil {
		t.Fatalf("show: %v\n%s", err, out)
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string         `json:"type"`
					Values map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out[strings.IndexByte(out, '{'):]), &state); err != nil {
		t.Fatalf("show -json: %v\n%s", err, out)
	}
	gotFolders, gotPins := map[string][]string{}, map[string]bool{}
	for _, res := range state.Values.RootModule.Resources {
		id := fmt.Sprint(res.Values["id"])
		switch res.Type {
		case "cliq_pin_folder":
			var chats []string
			for _, c := range res.Values["chat_ids"].([]any) {
				chats = append(chats, fmt.Sprint(c))
			}
			gotFolders[id] = chats
		case "cliq_chat_pin":
			gotPins[id] = true
		default:
			t.Errorf("unexpected %s in the state", res.Type)
		}
	}
	for id, chats := range wantFolders {
		if got, ok := gotFolders[id]; !ok || !slices.Equal(got, chats) {
			t.Errorf("folder %s: in state %v (%v), want chats %v", id, got, ok, chats)
		}
	}
	if len(gotFolders) != len(wantFolders) {
		t.Errorf("state holds folders %v, want %v", slices.Sorted(maps.Keys(gotFolders)), slices.Sorted(maps.Keys(wantFolders)))
	}
	if !maps.Equal(gotPins, wantPins) {
		t.Errorf("state holds pins %v, want %v", slices.Sorted(maps.Keys(gotPins)), slices.Sorted(maps.Keys(wantPins)))
	}
	if pinsOf(releases) && !regexp.MustCompile(`pin_above\s*=\s*"`+regexp.QuoteMeta(thread.ChatID)+`"`).MatchString(generated) {
		t.Errorf("the generated pins do not keep the order of the folder's chats (no pin_above = %q):\n%s", thread.ChatID, generated)
	}
}
