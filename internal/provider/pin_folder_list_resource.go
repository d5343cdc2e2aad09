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
			"The built-in My Pins section (`default`) is not a chat folder and is not listed. Takes no arguments.",
	}
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
				result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
			}
			if !push(result) {
				return
			}
		}
	}
}
