package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

var (
	_ list.ListResource              = (*pinFolderListResource)(nil)
	_ list.ListResourceWithConfigure = (*pinFolderListResource)(nil)
)

// NewPinFolderListResource returns the cliq_pin_folder list resource, with which Terraform 1.14+
// `terraform query` discovers every existing chat folder for bulk import.
func NewPinFolderListResource() list.ListResource { return &pinFolderListResource{} }

type pinFolderListResource struct {
	client *cliq.Client
}

func (r *pinFolderListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pin_folder"
}

func (r *pinFolderListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		Description: "Lists every chat folder of the Cliq account (not the built-in My Pins section), for terraform query and bulk import.",
		MarkdownDescription: "Lists every chat folder of the Cliq account, in display order, for `terraform query` and bulk import. " +
			"The built-in My Pins section (`default`) is not a chat folder and is not listed. " +
			"Each result's identity is the folder's `category_id`; with `include_resource = true` the result also carries the `cliq_pin_folder` as it would be imported.\n\n" +
			"By default the generated folders leave `chat_ids` out: they manage title, symbol and state, and leave the folder's chats to `cliq_chat_pin` resources. " +
			"Query this list resource together with the `cliq_chat_pin` list resource, both at their defaults, " +
			"and the generated configuration imports every folder and every pin and plans no change. " +
			"Set `include_chat_ids = true` to generate folders that own their chats through `chat_ids` instead; " +
			"then generate `cliq_chat_pin` resources for My Pins only (`folder_id = \"default\"` in that list resource's configuration), " +
			"because a folder with `chat_ids` must not also have `cliq_chat_pin` resources.",
		Attributes: map[string]listschema.Attribute{
			"include_chat_ids": listschema.BoolAttribute{
				Optional: true,
				Description: "Whether each listed folder carries chat_ids, its chats in order, so that the generated cliq_pin_folder manages them. " +
					"Defaults to false: the generated folders leave chat_ids out and cliq_chat_pin resources manage the chats.",
				MarkdownDescription: "Whether each listed folder carries `chat_ids`, its chats in order, so that the generated `cliq_pin_folder` manages exactly these chats. " +
					"Defaults to `false`: the generated folders leave `chat_ids` out, and `cliq_chat_pin` resources (from the `cliq_chat_pin` list resource) manage the chats. " +
					"Never generate both for one folder. The read-only `chats` attribute lists the folder's chats either way.",
			},
		},
	}
}

type pinFolderListConfig struct {
	IncludeChatIDs types.Bool `tfsdk:"include_chat_ids"`
}

func (r *pinFolderListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *pinFolderListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	if r.client == nil {
		var diags diag.Diagnostics
		diags.AddError("Provider not configured", "The cliq provider was not configured before listing chat folders; this is a provider bug, please report it.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var cfg pinFolderListConfig
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	folders, err := r.client.ListFolders(ctx)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Could not list the chat folders", pinFolderErrorDetail(err))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		var n int64
		for _, f := range folders {
			if f.IsDefault() {
				continue
			}
			if req.Limit > 0 && n >= req.Limit {
				return
			}
			n++
			result := req.NewListResult(ctx)
			result.DisplayName = f.Title
			id := types.StringValue(f.ID)
			result.Diagnostics.Append(result.Identity.Set(ctx, pinFolderIdentityModel{CategoryID: id})...)
			if req.IncludeResource {
				m := pinFolderModel{
					UnpinAllOnDestroy: types.BoolValue(false),
					Timeouts:          timeouts.Value{Object: types.ObjectNull(pinFolderTimeoutsAttrTypes)},
				}
				result.Diagnostics.Append(pinFolderModelFromFolder(ctx, &m, f)...)
				if !cfg.IncludeChatIDs.ValueBool() {
					m.ChatIDs = types.ListNull(types.StringType) // left to cliq_chat_pin
				}
				result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
			}
			if !push(result) {
				return
			}
		}
	}
}
