package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

var (
	_ list.ListResource                   = (*chatPinListResource)(nil)
	_ list.ListResourceWithConfigure      = (*chatPinListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*chatPinListResource)(nil)
)

// NewChatPinListResource returns the cliq_chat_pin list resource, with which Terraform 1.14+
// `terraform query` discovers every pinned chat for bulk import.
func NewChatPinListResource() list.ListResource { return &chatPinListResource{} }

type chatPinListResource struct {
	client *cliq.Client
}

type chatPinListConfig struct {
	FolderID      types.String `tfsdk:"folder_id"`
	IncludeMyPins types.Bool   `tfsdk:"include_my_pins"`
}

// myPinsDisplayName names the built-in section in display names; the API gives it no title.
const myPinsDisplayName = "My Pins"

func (r *chatPinListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_chat_pin"
}

func (r *chatPinListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		Description: "Lists every pinned chat of the Cliq account, in My Pins and in each chat folder, in display order, for terraform query and bulk import.",
		MarkdownDescription: "Lists every pinned chat of the Cliq account for `terraform query` and bulk import: each chat of **My Pins** " +
			"(`folder_id = \"default\"`), then each chat of each chat folder, folders and chats in display order. " +
			"A chat pinned in two folders is listed once for each. Each result's identity is `folder_id` and `chat_id`; " +
			"with `include_resource = true` the result also carries the `cliq_chat_pin` as it would be imported, " +
			"`pin_above` naming the chat below it (none for the last chat of a folder), so that the generated configuration keeps today's order.\n\n" +
			"One list request serves the whole listing, whatever the number of pins.\n\n" +
			"To bring a whole sidebar under management, query this list resource together with the `cliq_pin_folder` list resource, " +
			"both with `include_resource = true` and no other arguments: the generated folders leave `chat_ids` out, " +
			"so the generated `cliq_chat_pin` resources alone manage which chats each folder holds. " +
			"If you generate folders with `include_chat_ids = true` instead, list only the pins of My Pins here (`folder_id = \"default\"`): " +
			"a folder with `chat_ids` must not also have `cliq_chat_pin` resources.",
		Attributes: map[string]listschema.Attribute{
			"folder_id": listschema.StringAttribute{
				Optional: true,
				Description: "List only the pins of this chat folder: a folder id (such as 4000000020001), or \"default\" for My Pins. " +
					"Leave it out to list the pins of every folder.",
				MarkdownDescription: "List only the pins of this chat folder: a folder id (such as `4000000020001`), or `default` for My Pins. " +
					"Leave it out to list the pins of every folder. Naming a folder that does not exist is an error.",
				Validators: []validator.String{pinFolderIDValidator()},
			},
			"include_my_pins": listschema.BoolAttribute{
				Optional: true,
				Description: "Whether to list the pins of My Pins along with those of the chat folders. Defaults to true. " +
					"Only without folder_id, which already says which folder to list.",
				MarkdownDescription: "Whether to list the pins of My Pins along with those of the chat folders. Defaults to `true`; " +
					"`false` lists the pins of the chat folders only. Only without `folder_id`, which already says which folder to list.",
			},
		},
	}
}

func (r *chatPinListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *chatPinListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	var cfg chatPinListConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !cfg.FolderID.IsNull() && !cfg.IncludeMyPins.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("include_my_pins"), "Invalid include_my_pins",
			"include_my_pins cannot be set together with folder_id: folder_id already says which folder to list "+
				"(folder_id = \"default\" lists the pins of My Pins). Remove include_my_pins, or remove folder_id to list every folder.")
	}
}

func (r *chatPinListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	if r.client == nil {
		diags.AddError("Provider not configured", "The cliq provider was not configured before listing pinned chats; this is a provider bug, please report it.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var cfg chatPinListConfig
	diags.Append(req.Config.Get(ctx, &cfg)...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	folders, err := r.client.ListFolders(ctx)
	if err != nil {
		diags.AddError("Could not list the pinned chats", pinFolderErrorDetail(err))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	includeMyPins := cfg.IncludeMyPins.IsNull() || cfg.IncludeMyPins.ValueBool()
	if only := cfg.FolderID.ValueString(); only != "" {
		kept := folders[:0]
		for _, f := range folders {
			if f.ID == only {
				kept = append(kept, f)
			}
		}
		if len(kept) == 0 {
			diags.AddAttributeError(path.Root("folder_id"), "Chat folder not found",
				fmt.Sprintf("The Cliq account has no chat folder with id %q. The cliq_pin_folder list resource and the cliq_pin_folders data source list the folders and their ids.", only))
			stream.Results = list.ListResultsStreamDiagnostics(diags)
			return
		}
		folders, includeMyPins = kept, true
	}

	stream.Results = func(push func(list.ListResult) bool) {
		var n int64
		for _, f := range folders {
			if f.IsDefault() && !includeMyPins {
				continue
			}
			where := f.Title
			if f.IsDefault() {
				where = myPinsDisplayName
			}
			ids := f.ChatIDs()
			for _, ch := range f.Chats {
				if req.Limit > 0 && n >= req.Limit {
					return
				}
				n++
				result := req.NewListResult(ctx)
				name := ch.Name
				if name == "" {
					name = ch.ChatID
				}
				result.DisplayName = where + " / " + name
				setStringIdentity(result.Identity, map[string]string{"folder_id": f.ID, "chat_id": ch.ChatID})
				if req.IncludeResource {
					m := chatPinModel{
						ID:       types.StringValue(pinID(f.ID, ch.ChatID)),
						ChatID:   types.StringValue(ch.ChatID),
						FolderID: types.StringValue(f.ID),
						PinAbove: types.StringNull(),
					}
					if below := chatBelow(ids, ch.ChatID); below != "" {
						m.PinAbove = types.StringValue(below)
					}
					result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
				}
				if !push(result) {
					return
				}
			}
		}
	}
}
