package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

// The tests in this file run against a real Cliq account, and only when asked to: CLIQ_ACC_REAL=1,
// credentials in the provider's environment variables (CLIQ_ACCESS_TOKEN, or CLIQ_CLIENT_ID,
// CLIQ_CLIENT_SECRET and CLIQ_REFRESH_TOKEN; CLIQ_DATA_CENTER), and CLIQ_ACC_CHAT_IDS naming three
// chats of that user that the tests may pin and unpin. They create folders titled "tf-acc-..." and
// remove them again. The other acceptance tests need the fake's fault injection and request
// counts, so they always run against the fake.

// realAccount returns a client for the real account, or skips the test.
func realAccount(t *testing.T) (*cliq.Client, []string) {
	t.Helper()
	if os.Getenv("CLIQ_ACC_REAL") != "1" {
		t.Skip("runs against a real Cliq account only with CLIQ_ACC_REAL=1 (see README)")
	}
	chats := strings.Split(os.Getenv("CLIQ_ACC_CHAT_IDS"), ",")
	if len(chats) < 3 || slices.Contains(chats, "") {
		t.Fatal("CLIQ_ACC_REAL=1 needs CLIQ_ACC_CHAT_IDS: three comma-separated ids of chats the account may pin")
	}
	client, err := cliq.New(cliq.Config{
		DataCenter: os.Getenv("CLIQ_DATA_CENTER"), APIURL: os.Getenv("CLIQ_API_URL"), AccountsURL: os.Getenv("CLIQ_ACCOUNTS_URL"),
		AccessToken: os.Getenv("CLIQ_ACCESS_TOKEN"), ClientID: os.Getenv("CLIQ_CLIENT_ID"),
		ClientSecret: os.Getenv("CLIQ_CLIENT_SECRET"), RefreshToken: os.Getenv("CLIQ_REFRESH_TOKEN"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return client, chats[:3]
}

// TestAccReal_folderPinsAndOrder is the full lifecycle on a real account: folders with chats, a
// pin, an order, an update, an import with no diff, and a destroy that leaves no folder behind.
func TestAccReal_folderPinsAndOrder(t *testing.T) {
	client, chats := realAccount(t)
	prefix := fmt.Sprintf("tf-acc-%d", time.Now().Unix())
	config := func(title string, ids []string) string {
		return fmt.Sprintf(`
resource "cliq_pin_folder" "a" {
  title    = %q
  symbol   = ":rocket:"
  chat_ids = [%s]
}

resource "cliq_pin_folder" "b" {
  title = "%s-b"
  state = "collapsed"
}

resource "cliq_chat_pin" "in_b" {
  chat_id   = %q
  folder_id = cliq_pin_folder.b.id
}

resource "cliq_pin_folder_order" "order" {
  folder_ids = [cliq_pin_folder.b.id, cliq_pin_folder.a.id]
}
`, title, `"`+strings.Join(ids, `", "`)+`"`, prefix, chats[2])
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			client.Invalidate()
			folders, err := client.ListFolders(context.Background())
			if err != nil {
				return err
			}
			for _, f := range folders {
				if strings.HasPrefix(f.Title, prefix) {
					return fmt.Errorf("folder %s (%s) is still there", f.ID, f.Title)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config(prefix+"-a", chats[:2]),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("chat_ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(chats[0]), knownvalue.StringExact(chats[1])})),
					statecheck.ExpectKnownValue("cliq_pin_folder.b", tfjsonpath.New("state"), knownvalue.StringExact("collapsed")),
				},
			},
			{
				Config: config(prefix+"-a2", []string{chats[1], chats[0]}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("cliq_pin_folder.a", plancheck.ResourceActionUpdate),
				}},
			},
			{ResourceName: "cliq_pin_folder.a", ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"unpin_all_on_destroy", "timeouts"}},
			{Config: config(prefix+"-a2", []string{chats[1], chats[0]}), PlanOnly: true},
		},
	})
}
