package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// setStringIdentity builds identities by hand: they must have the identity schema's type and read
// back through the framework like one set with Identity.Set.
func TestSetStringIdentity_matchesIdentitySchema(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		res   resource.ResourceWithIdentity
		attrs map[string]string
	}{
		"cliq_chat_pin":   {&chatPinResource{}, map[string]string{"folder_id": "4000000020001", "chat_id": "1488288613043522033"}},
		"cliq_pin_folder": {&pinFolderResource{}, map[string]string{"category_id": "4000000020001"}},
	} {
		var resp resource.IdentitySchemaResponse
		tc.res.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
		typ := resp.IdentitySchema.Type().TerraformType(ctx)
		id := &tfsdk.ResourceIdentity{Schema: resp.IdentitySchema, Raw: tftypes.NewValue(typ, nil)}
		setStringIdentity(id, tc.attrs)
		if !id.Raw.Type().Equal(typ) {
			t.Fatalf("%s: identity type %s, want %s", name, id.Raw.Type(), typ)
		}
		for attr, want := range tc.attrs {
			var got types.String
			if diags := id.GetAttribute(ctx, path.Root(attr), &got); diags.HasError() {
				t.Fatalf("%s: %v", name, diags)
			}
			if got.ValueString() != want {
				t.Errorf("%s: %s = %q, want %q", name, attr, got.ValueString(), want)
			}
		}
		before := id.Raw
		setStringIdentity(id, tc.attrs)
		if !id.Raw.Equal(before) {
			t.Errorf("%s: setting the same identity again changed it", name)
		}
		setStringIdentity(nil, tc.attrs) // no identity (no panic)
	}
}

// chatPinModelFromRaw must agree with the framework's State.Get.
func TestChatPinModelFromRaw_matchesStateGet(t *testing.T) {
	ctx := context.Background()
	var sresp resource.SchemaResponse
	(&chatPinResource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx)
	for _, pinAbove := range []tftypes.Value{
		tftypes.NewValue(tftypes.String, nil),
		tftypes.NewValue(tftypes.String, "1488288613043522034"),
	} {
		raw := tftypes.NewValue(typ, map[string]tftypes.Value{
			"id":        tftypes.NewValue(tftypes.String, "default/1488288613043522033"),
			"chat_id":   tftypes.NewValue(tftypes.String, "1488288613043522033"),
			"folder_id": tftypes.NewValue(tftypes.String, "default"),
			"pin_above": pinAbove,
		})
		var want chatPinModel
		if diags := (tfsdk.State{Schema: sresp.Schema, Raw: raw}).Get(ctx, &want); diags.HasError() {
			t.Fatal(diags)
		}
		got, err := chatPinModelFromRaw(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !got.equal(want) {
			t.Errorf("chatPinModelFromRaw = %+v, want %+v", got, want)
		}
	}
}

// cliq_pin_folder's Read writes the attributes readAttributes names: every attribute of the schema.
func TestPinFolderReadAttributes_coverTheSchema(t *testing.T) {
	var sresp resource.SchemaResponse
	(&pinFolderResource{}).Schema(context.Background(), resource.SchemaRequest{}, &sresp)
	names := pinFolderModel{}.readAttributes()
	for name := range sresp.Schema.Attributes {
		if _, ok := names[name]; !ok {
			t.Errorf("schema attribute %s is not refreshed by Read", name)
		}
	}
	if len(names) != len(sresp.Schema.Attributes) {
		t.Errorf("Read refreshes %d attributes, the schema has %d", len(names), len(sresp.Schema.Attributes))
	}
}
