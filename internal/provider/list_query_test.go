package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// terraform query through a real CLI (Terraform 1.14+). The default run, on an older terraform,
// skips these; TestCLIMatrix runs them under Terraform 1.15.9 from ../shared/tools.

// TestAccPinFolderList_query: every folder but My Pins, with identity, display name and the
// resource; chat_ids only when include_chat_ids asks for it.
func TestAccPinFolderList_query(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	a := env.Fake.CreateFolderOOB("Alpha", ":razz:", []string{"8001", "8002"})
	b := env.Fake.CreateFolderOOB("Beta", "", nil)
	collapsed := "collapsed"
	if err := env.Fake.SetFolderOOB(b, nil, nil, &collapsed); err != nil {
		t.Fatal(err)
	}
	if err := env.Fake.PinChatOOB("8009", fakecliq.DefaultFolderID); err != nil {
		t.Fatal(err)
	}
	folder := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"category_id": knownvalue.StringExact(id)})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{
				Query: true,
				Config: env.Provider + `
list "cliq_pin_folder" "all" {
  provider         = cliq
  include_resource = true
}

list "cliq_pin_folder" "owning" {
  provider         = cliq
  include_resource = true
  config {
    include_chat_ids = true
  }
}

list "cliq_pin_folder" "ids" {
  provider = cliq
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					expectListedIdentities("cliq_pin_folder.all", "category_id", a, b),
					expectListedIdentities("cliq_pin_folder.ids", "category_id", a, b),
					querycheck.ExpectResourceDisplayName("cliq_pin_folder.all", folder(a), knownvalue.StringExact("Alpha")),
					querycheck.ExpectResourceDisplayName("cliq_pin_folder.all", folder(b), knownvalue.StringExact("Beta")),
					querycheck.ExpectResourceKnownValues("cliq_pin_folder.all", folder(a), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(a)},
						{Path: tfjsonpath.New("title"), KnownValue: knownvalue.StringExact("Alpha")},
						{Path: tfjsonpath.New("symbol"), KnownValue: knownvalue.StringExact(":razz:")},
						{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("expanded")},
						{Path: tfjsonpath.New("chat_ids"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("chats").AtSliceIndex(1).AtMapKey("chat_id"), KnownValue: knownvalue.StringExact("8002")},
					}),
					querycheck.ExpectResourceKnownValues("cliq_pin_folder.all", folder(b), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("collapsed")},
					}),
					querycheck.ExpectResourceKnownValues("cliq_pin_folder.owning", folder(a), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("chat_ids"), KnownValue: knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("8001"), knownvalue.StringExact("8002"),
						})},
					}),
					querycheck.ExpectResourceKnownValues("cliq_pin_folder.owning", folder(b), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("chat_ids"), KnownValue: knownvalue.ListSizeExact(0)},
					}),
					expectNoResourceObjects("cliq_pin_folder.ids"),
				},
			},
		},
	})
}

// TestAccChatPinList_query: every pin, My Pins first, each folder's chats in order, with identity,
// display name and the resource; the filters; one list request for four list blocks of 50 pins;
// bad configurations refused with an error that names the attribute.
func TestAccChatPinList_query(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprint(9500+i))
	}
	a := env.Fake.CreateFolderOOB("Alpha", "", []string{"9101", "9102", "9103"})
	env.Fake.CreateFolderOOB("Empty", "", nil)
	g := env.Fake.CreateFolderOOB("Gamma", "", append([]string{"9301", "9001"}, many...))
	for _, chat := range []string{"9001", "9002"} {
		if err := env.Fake.PinChatOOB(chat, fakecliq.DefaultFolderID); err != nil {
			t.Fatal(err)
		}
	}
	idents := func(folders ...string) []string {
		var out []string
		for _, id := range folders {
			f, ok := env.Fake.Folder(id)
			if !ok {
				t.Fatalf("no folder %s", id)
			}
			for _, c := range f.ChatIDs {
				out = append(out, id+"/"+c)
			}
		}
		return out
	}
	all := idents("default", a, g)
	if len(all) != 2+3+2+len(many) {
		t.Fatalf("the fake holds %d pins, want %d: the test's setup is wrong", len(all), 2+3+2+len(many))
	}
	pin := func(folder, chat string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
			"folder_id": knownvalue.StringExact(folder),
			"chat_id":   knownvalue.StringExact(chat),
		})
	}
	query := func(lists string) string { return env.Provider + lists }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{
				PreConfig: env.Fake.ResetCounts,
				Query:     true,
				Config: query(fmt.Sprintf(`
list "cliq_chat_pin" "all" {
  provider         = cliq
  include_resource = true
}

list "cliq_chat_pin" "my_pins" {
  provider = cliq
  config {
    folder_id = "default"
  }
}

list "cliq_chat_pin" "folders_only" {
  provider = cliq
  config {
    include_my_pins = false
  }
}

list "cliq_chat_pin" "alpha" {
  provider         = cliq
  include_resource = true
  config {
    folder_id = %q
  }
}
`, a)),
				QueryResultChecks: []querycheck.QueryResultCheck{
					expectListedPins("cliq_chat_pin.all", all...),
					expectListedPins("cliq_chat_pin.my_pins", idents("default")...),
					expectListedPins("cliq_chat_pin.folders_only", idents(a, g)...),
					expectListedPins("cliq_chat_pin.alpha", idents(a)...),
					querycheck.ExpectResourceDisplayName("cliq_chat_pin.all", pin("default", "9001"), knownvalue.StringExact("My Pins / Chat 9001")),
					querycheck.ExpectResourceDisplayName("cliq_chat_pin.all", pin(g, "9001"), knownvalue.StringExact("Gamma / Chat 9001")),
					querycheck.ExpectResourceKnownValues("cliq_chat_pin.all", pin(a, "9101"), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(a + "/9101")},
						{Path: tfjsonpath.New("folder_id"), KnownValue: knownvalue.StringExact(a)},
						{Path: tfjsonpath.New("chat_id"), KnownValue: knownvalue.StringExact("9101")},
						{Path: tfjsonpath.New("pin_above"), KnownValue: knownvalue.StringExact("9102")},
					}),
					querycheck.ExpectResourceKnownValues("cliq_chat_pin.alpha", pin(a, "9103"), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("pin_above"), KnownValue: knownvalue.Null()}, // last of its folder
					}),
					querycheck.ExpectResourceKnownValues("cliq_chat_pin.all", pin(g, "9001"), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("pin_above"), KnownValue: knownvalue.StringExact(many[0])},
					}),
					expectNoResourceObjects("cliq_chat_pin.my_pins"),
					expectRequests(env.Fake, fakecliq.OpListFolders, 1),
				},
			},
			{
				Query: true,
				Config: query(`
list "cliq_chat_pin" "bad" {
  provider = cliq
  config {
    folder_id = "My Pins"
  }
}
`),
				ExpectError: cpExactError(`folder_id "My Pins" is not a chat folder id: My Pins is exactly "default".`),
			},
			{
				Query: true,
				Config: query(`
list "cliq_chat_pin" "bad" {
  provider = cliq
  config {
    folder_id       = "default"
    include_my_pins = false
  }
}
`),
				ExpectError: regexp.MustCompile(`(?s)Invalid include_my_pins.*include_my_pins cannot be set together with\s+folder_id`),
			},
			{
				Query: true,
				Config: query(`
list "cliq_chat_pin" "bad" {
  provider = cliq
  config {
    folder_id = "4999999999999"
  }
}
`),
				ExpectError: regexp.MustCompile(`(?s)Chat folder not found.*no chat folder with id\s+"4999999999999"`),
			},
		},
	})
}

// expectListedIdentities checks that list block addr found exactly one result per value of the
// identity attribute attr, in this order.
func expectListedIdentities(addr, attr string, want ...string) querycheck.QueryResultCheck {
	return queryCheckFunc(func(req querycheck.CheckQueryRequest) error {
		var got []string
		for _, r := range req.Query {
			if strings.TrimPrefix(r.Address, "list.") == addr {
				got = append(got, fmt.Sprint(r.Identity[attr]))
			}
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("%s listed %s %v, want %v", addr, attr, got, want)
		}
		return nil
	})
}

// expectListedPins checks that list block addr found exactly these pins (folder_id/chat_id), in
// this order.
func expectListedPins(addr string, want ...string) querycheck.QueryResultCheck {
	return queryCheckFunc(func(req querycheck.CheckQueryRequest) error {
		var got []string
		for _, r := range req.Query {
			if strings.TrimPrefix(r.Address, "list.") == addr {
				got = append(got, fmt.Sprintf("%v/%v", r.Identity["folder_id"], r.Identity["chat_id"]))
			}
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("%s listed %d pins %v, want %d: %v", addr, len(got), got, len(want), want)
		}
		return nil
	})
}

// expectNoResourceObjects checks that list block addr, which does not ask for include_resource,
// found results without resource objects.
func expectNoResourceObjects(addr string) querycheck.QueryResultCheck {
	return queryCheckFunc(func(req querycheck.CheckQueryRequest) error {
		n := 0
		for _, r := range req.Query {
			if strings.TrimPrefix(r.Address, "list.") == addr {
				n++
				if len(r.ResourceObject) != 0 {
					return fmt.Errorf("%s returned a resource object without include_resource: %v", addr, r.ResourceObject)
				}
			}
		}
		if n == 0 {
			return fmt.Errorf("%s found nothing", addr)
		}
		return nil
	})
}

// expectRequests checks, once the query has run, how many requests of op the fake served.
func expectRequests(fake *fakecliq.Server, op fakecliq.Op, want int) querycheck.QueryResultCheck {
	return queryCheckFunc(func(querycheck.CheckQueryRequest) error {
		if got := fake.RequestCount(op); got != want {
			return fmt.Errorf("the query made %d %s requests, want %d", got, op, want)
		}
		return nil
	})
}

type queryCheckFunc func(querycheck.CheckQueryRequest) error

func (f queryCheckFunc) CheckQuery(_ context.Context, req querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	resp.Error = f(req)
}
