package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

var (
	_ resource.Resource                = (*pinFolderResource)(nil)
	_ resource.ResourceWithConfigure   = (*pinFolderResource)(nil)
	_ resource.ResourceWithImportState = (*pinFolderResource)(nil)
	_ resource.ResourceWithIdentity    = (*pinFolderResource)(nil)
)

// pinFolderDefaultTimeout is the default create, update and delete timeout of the folder resources:
// long enough to ride out one five-minute rate-limit lock with room to spare.
const pinFolderDefaultTimeout = 10 * time.Minute

// Documented limits of a chat folder (operations 1, 4 and 8).
const (
	pinFolderMaxTitle  = 255
	pinFolderMaxSymbol = 50
	pinFolderMaxChats  = 100
)

// pinFolderStates are the states a folder can be in.
var pinFolderStates = []string{"expanded", "collapsed"}

// NewPinFolderResource returns the cliq_pin_folder resource.
func NewPinFolderResource() resource.Resource { return &pinFolderResource{} }

type pinFolderResource struct {
	client *cliq.Client
}

// pinFolderModel is the state of a cliq_pin_folder.
type pinFolderModel struct {
	ID                types.String   `tfsdk:"id"`
	Title             types.String   `tfsdk:"title"`
	Symbol            types.String   `tfsdk:"symbol"`
	State             types.String   `tfsdk:"state"`
	ChatIDs           types.List     `tfsdk:"chat_ids"`
	UnpinAllOnDestroy types.Bool     `tfsdk:"unpin_all_on_destroy"`
	Chats             types.List     `tfsdk:"chats"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

// pinFolderIdentityModel is the resource identity of a cliq_pin_folder.
type pinFolderIdentityModel struct {
	CategoryID types.String `tfsdk:"category_id"`
}

// pinFolderChatAttrTypes is the object type of one entry of the computed chats attribute.
var pinFolderChatAttrTypes = map[string]attr.Type{
	"chat_id":           types.StringType,
	"chat_type":         types.StringType,
	"name":              types.StringType,
	"participant_count": types.Int64Type,
}

// pinFolderTimeoutsAttrTypes is the object type of the timeouts block.
var pinFolderTimeoutsAttrTypes = map[string]attr.Type{
	"create": types.StringType,
	"update": types.StringType,
	"delete": types.StringType,
}

func (r *pinFolderResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pin_folder"
}

func (r *pinFolderResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A Zoho Cliq chat folder (a \"pin category\"): its title, symbol and state, and optionally which chats it holds and in what order.",
		MarkdownDescription: "A Zoho Cliq chat folder (a \"pin category\" in the API): its title, symbol and state, and optionally which chats it holds and in what order.\n\n" +
			"The folder's chats can be managed in one of two ways, never both for the same folder:\n\n" +
			"* set `chat_ids` here: the folder then holds exactly these chats in exactly this order, and Terraform restores them when they change outside Terraform;\n" +
			"* leave `chat_ids` out and pin chats into the folder with `cliq_chat_pin` resources (`folder_id = cliq_pin_folder.x.id`), or by hand in Cliq.\n\n" +
			"Setting `chat_ids` on a folder that `cliq_chat_pin` resources also pin into makes the two fight: every apply undoes the other's changes.\n\n" +
			"The built-in \"My Pins\" section (id `default`) is not a chat folder and cannot be managed by this resource; manage its pins with `cliq_chat_pin` and `folder_id = \"default\"`.\n\n" +
			"**Beside people using Cliq.** An apply changes only what its plan shows. When `chat_ids` changes, the provider applies the plan's additions, removals and order to the folder as Cliq shows it at that moment: " +
			"a chat pinned into the folder by hand since the plan stays where it is (the next plan shows it, to be removed), and one unpinned by hand stays unpinned. " +
			"A request that sends the folder's whole list is built from a read of the folder made after the provider's own last change to it, and Cliq refuses it if anybody changed the folder after that read; the provider then reads again. " +
			"So no change made by hand is overwritten unseen, whatever second it falls in; the one assumption is that Cliq dates its answers less than a second after reading the list. " +
			"`unpin_all_on_destroy = true` empties the folder that way before deleting it, so its chats leave this folder only; a chat pinned into it by hand in between moves to My Pins.\n\n" +
			"**Many folders.** Cliq lets a user create or delete 20 folders a minute, so 60 folders take two minutes and a little more, whatever Terraform's `-parallelism`. " +
			"With many `cliq_chat_pin` resources pinning into them, run Terraform with `-parallelism=256` (on HCP Terraform, `TFE_PARALLELISM=256`), " +
			"so that a folder's pins arrive together and leave it in one request; see the provider's *Rate limits* section.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				Description:         "The folder's category_id, such as 4000000020001.",
				MarkdownDescription: "The folder's `category_id`, such as `4000000020001`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"title": schema.StringAttribute{
				Required:            true,
				Description:         "The folder's title, 1 to 255 characters.",
				MarkdownDescription: "The folder's title, 1 to 255 characters.",
				Validators:          []validator.String{stringvalidator.UTF8LengthBetween(1, pinFolderMaxTitle)},
			},
			"symbol": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Description:         "An emoji short code shown with the title, such as \":razz:\", at most 50 characters. Defaults to \"\" (no symbol).",
				MarkdownDescription: "An emoji short code shown with the title, such as `\":razz:\"`, at most 50 characters. Defaults to `\"\"` (no symbol).",
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(pinFolderMaxSymbol)},
			},
			"state": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("expanded"),
				Description:         "Whether the folder is shown expanded or collapsed: \"expanded\" (the default) or \"collapsed\".",
				MarkdownDescription: "Whether the folder is shown expanded or collapsed: `expanded` (the default) or `collapsed`.",
				Validators:          []validator.String{stringvalidator.OneOf(pinFolderStates...)},
			},
			"chat_ids": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Description: "The ids of the chats the folder holds, in display order; at most 100, no duplicates. " +
					"When set, it is authoritative: the folder holds exactly these chats in this order ([] empties it). " +
					"When left out, Terraform reports the folder's chats here but never changes them, so that cliq_chat_pin resources (or people in Cliq) can manage them. " +
					"Do not set chat_ids on a folder that cliq_chat_pin resources pin into.",
				MarkdownDescription: "The ids of the chats the folder holds, in display order; at most 100, no duplicates. " +
					"Each is a chat id as Cliq issues it, such as `CT_1847392056173920481_748291635` (a thread's, bot's or channel's id has more after it, such as `-T-1291567019566818579`, `-B2` or `-C4`), or digits: " +
					"the last part of the chat's URL in a browser (`https://cliq.zoho.com/app/chats/<CHAT_ID>`); for a channel, its CHAT_ID, not its CHANNEL_ID. " +
					"The `cliq_chats` data source finds chats by name; the `cliq_pin_folders` data source and `terraform query` with the `cliq_chat_pin` and `cliq_pin_folder` list resources show the ids of pinned chats.\n\n" +
					"* **Set**: authoritative. The folder holds exactly these chats in exactly this order (`[]` empties it); chats added, removed or moved outside Terraform show as drift and the next apply restores the list.\n" +
					"* **Left out (null)**: Terraform reports what the folder holds but never changes it, and shows no difference whatever it holds, also right after an import. " +
					"Use this when `cliq_chat_pin` resources (or people in Cliq) manage the folder's chats.\n\n" +
					"Never combine `chat_ids` with `cliq_chat_pin` resources that pin into the same folder: each apply would undo the other's changes.",
				Validators: []validator.List{
					listvalidator.SizeAtMost(pinFolderMaxChats),
					listvalidator.NoNullValues(),
					pinFolderUniqueStrings{},
					listvalidator.ValueStringsAre(chatIDValidator{}),
				},
				PlanModifiers: []planmodifier.List{pinFolderChatIDsPlanModifier{}},
			},
			"unpin_all_on_destroy": schema.BoolAttribute{
				Optional:    true,
				Computed:    true,
				Default:     booldefault.StaticBool(false),
				Description: "What happens to the folder's chats when the folder is destroyed: false (the default) moves them to My Pins, true unpins them.",
				MarkdownDescription: "What happens to the folder's chats when the folder is destroyed: `false` (the default) moves them to My Pins, `true` unpins them. " +
					"Takes effect only once applied to the state before the destroy.",
			},
			"chats": schema.ListNestedAttribute{
				Computed:            true,
				Description:         "The chats pinned in the folder, in display order, as Cliq shows them.",
				MarkdownDescription: "The chats pinned in the folder, in display order, as Cliq shows them.",
				PlanModifiers:       []planmodifier.List{pinFolderChatsPlanModifier{}},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"chat_id":           schema.StringAttribute{Computed: true, Description: "The chat's id."},
						"chat_type":         schema.StringAttribute{Computed: true, Description: "The chat's type: direct_message, group_chat, channel, bot, thread, entity_chat, crossproduct_custom_chat or unknown."},
						"name":              schema.StringAttribute{Computed: true, Description: "The chat's name."},
						"participant_count": schema.Int64Attribute{Computed: true, Description: "The number of participants of the chat."},
					},
				},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *pinFolderResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"category_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The folder's category_id, such as 4000000020001.",
			},
		},
	}
}

func (r *pinFolderResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *pinFolderResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan pinFolderModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var configChatIDs types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("chat_ids"), &configChatIDs)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, pinFolderDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	manageChats := !configChatIDs.IsNull()
	var chatIDs []string
	if manageChats {
		resp.Diagnostics.Append(plan.ChatIDs.ElementsAs(ctx, &chatIDs, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	title, symbol, state := plan.Title.ValueString(), plan.Symbol.ValueString(), plan.State.ValueString()
	folder, err := r.client.CreateFolder(ctx, title, symbol, chatIDs)
	if err != nil {
		resp.Diagnostics.AddError("Could not create the chat folder", pinFolderErrorDetail(err))
		return
	}
	// From here on the folder exists: keep its id in the state, so that a failure below leaves it
	// tainted (replaced on the next apply) rather than forgotten.
	plan.ID = types.StringValue(folder.ID)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), plan.ID)...)
	// What the destroy of a tainted folder needs: how to treat its chats, and how long to wait.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("unpin_all_on_destroy"), plan.UnpinAllOnDestroy)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), plan.Timeouts)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, pinFolderIdentityModel{CategoryID: plan.ID})...)
	if resp.Diagnostics.HasError() {
		return
	}

	if folder.State != state {
		if err := r.client.ModifyFolder(ctx, folder.ID, nil, nil, &state); err != nil {
			resp.Diagnostics.AddError("Could not set the state of the new chat folder", pinFolderErrorDetail(err))
			return
		}
	}
	resp.Diagnostics.Append(r.fillAfterWrite(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *pinFolderResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pinFolderModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	folder, ok, err := r.client.GetFolder(ctx, state.ID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Could not read the chat folders", pinFolderErrorDetail(err))
		return
	}
	if !ok || folder.IsDefault() {
		// Deleted outside Terraform: the next plan creates it again. The framework wants an
		// identity even so (when Terraform older than 1.12 sent none, it would report it missing).
		resp.State.RemoveResource(ctx)
		resp.Diagnostics.Append(resp.Identity.Set(ctx, pinFolderIdentityModel{CategoryID: state.ID})...)
		return
	}
	prior := state
	resp.Diagnostics.Append(pinFolderModelFromFolder(ctx, &state, folder)...)
	if state.UnpinAllOnDestroy.IsNull() || state.UnpinAllOnDestroy.IsUnknown() {
		state.UnpinAllOnDestroy = types.BoolValue(false) // after an import
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// resp.State starts as the prior state: write only the attributes that changed, which in a
	// refresh is usually none (a whole-model Set costs the framework's reflection every time).
	was := prior.readAttributes()
	for name, now := range state.readAttributes() {
		if !now.Equal(was[name]) {
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), now)...)
		}
	}
	setStringIdentity(resp.Identity, map[string]string{"category_id": state.ID.ValueString()})
}

// readAttributes are the attributes that Read refreshes, by name: all but the timeouts block.
func (m pinFolderModel) readAttributes() map[string]attr.Value {
	return map[string]attr.Value{
		"id":                   m.ID,
		"title":                m.Title,
		"symbol":               m.Symbol,
		"state":                m.State,
		"chat_ids":             m.ChatIDs,
		"unpin_all_on_destroy": m.UnpinAllOnDestroy,
		"chats":                m.Chats,
	}
}

func (r *pinFolderResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state pinFolderModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	var configChatIDs types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("chat_ids"), &configChatIDs)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, pinFolderDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	plan.ID = state.ID
	manageChats := !configChatIDs.IsNull()

	// Chats first: operation 8 (or 6) carries a last_sync_time that a read must prove; the
	// title/symbol/state change (operation 4) needs none. Only the plan's change is applied: the
	// state holds the chats as the plan read them, and chats pinned or unpinned by hand since stay
	// so (the next plan shows them).
	if manageChats {
		var chatIDs, prior []string
		resp.Diagnostics.Append(plan.ChatIDs.ElementsAs(ctx, &chatIDs, false)...)
		if !state.ChatIDs.IsNull() && !state.ChatIDs.IsUnknown() {
			resp.Diagnostics.Append(state.ChatIDs.ElementsAs(ctx, &prior, false)...)
		}
		if resp.Diagnostics.HasError() {
			return
		}
		if err := r.client.SetFolderChats(ctx, id, prior, chatIDs); err != nil {
			resp.Diagnostics.AddError("Could not set the chats of the chat folder", pinFolderErrorDetail(err))
			return
		}
	}

	var title, symbol, folderState *string
	if !plan.Title.Equal(state.Title) {
		title = plan.Title.ValueStringPointer()
	}
	if !plan.Symbol.Equal(state.Symbol) {
		symbol = plan.Symbol.ValueStringPointer()
	}
	if !plan.State.Equal(state.State) {
		folderState = plan.State.ValueStringPointer()
	}
	if err := r.client.ModifyFolder(ctx, id, title, symbol, folderState); err != nil {
		resp.Diagnostics.AddError("Could not modify the chat folder", pinFolderErrorDetail(err))
		return
	}

	resp.Diagnostics.Append(r.fillAfterWrite(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, pinFolderIdentityModel{CategoryID: plan.ID})...)
}

func (r *pinFolderResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pinFolderModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, pinFolderDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if err := r.client.DeleteFolder(ctx, state.ID.ValueString(), state.UnpinAllOnDestroy.ValueBool()); err != nil {
		resp.Diagnostics.AddError("Could not delete the chat folder", pinFolderErrorDetail(err))
	}
}

func (r *pinFolderResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" && req.Identity != nil {
		var identity pinFolderIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		id = identity.CategoryID.ValueString()
	}
	resp.Diagnostics.Append(pinFolderCheckImportID(ctx, r.client, id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, pinFolderIdentityModel{CategoryID: types.StringValue(id)})...)
}

// pinFolderCheckImportID makes sure id names an existing chat folder that is not My Pins.
func pinFolderCheckImportID(ctx context.Context, client *cliq.Client, id string) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case id == cliq.DefaultFolderID:
		diags.AddError("Cannot import the default folder",
			"\"default\" is the built-in My Pins section, not a chat folder: it has no title, symbol or state and cannot be created or deleted, so cliq_pin_folder cannot manage it. "+
				"To manage the chats pinned in My Pins, use cliq_chat_pin resources with folder_id = \"default\".")
		return diags
	case folderIDProblem("the import id", id, true, "") != "":
		diags.AddError("Invalid chat folder id", folderIDProblem("the import id", id, true, "")+
			" The cliq_pin_folders data source and the cliq_pin_folder list resource list the folders and their ids.")
		return diags
	}
	_, ok, err := client.GetFolder(ctx, id)
	if err != nil {
		diags.AddError("Could not read the chat folders", pinFolderErrorDetail(err))
		return diags
	}
	if !ok {
		diags.AddError("Chat folder not found",
			fmt.Sprintf("The Cliq account has no chat folder with id %q. Check the id: the cliq_pin_folders data source lists the folders and their ids.", id))
	}
	return diags
}

// fillAfterWrite completes m after a create or update with what the plan left unknown: the chat
// details (which may cost one shared re-read when a chat was just pinned) and, for a new folder
// whose chats the configuration leaves to others, chat_ids. Everything the plan knew stays as
// planned, as Terraform requires: title, symbol and state are what was sent, and chats other
// resources pin meanwhile into a folder without chat_ids show at the next refresh.
func (r *pinFolderResource) fillAfterWrite(ctx context.Context, m *pinFolderModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.Chats.IsUnknown() && !m.ChatIDs.IsUnknown() {
		return diags
	}
	chats, err := r.client.ChatDetails(ctx, m.ID.ValueString())
	if err != nil {
		diags.AddError("Could not read the chat folder after writing it", pinFolderErrorDetail(err))
		return diags
	}
	if m.ChatIDs.IsUnknown() {
		ids := make([]string, len(chats))
		for i, ch := range chats {
			ids[i] = ch.ChatID
		}
		var d diag.Diagnostics
		m.ChatIDs, d = types.ListValueFrom(ctx, types.StringType, ids)
		diags.Append(d...)
	}
	if m.Chats.IsUnknown() {
		var d diag.Diagnostics
		m.Chats, d = pinFolderChatsValue(chats)
		diags.Append(d...)
	}
	return diags
}

// pinFolderModelFromFolder sets m's server-side attributes from a folder as read.
func pinFolderModelFromFolder(ctx context.Context, m *pinFolderModel, f cliq.Folder) diag.Diagnostics {
	var diags, d diag.Diagnostics
	m.ID = types.StringValue(f.ID)
	m.Title = types.StringValue(f.Title)
	m.Symbol = types.StringValue(f.Symbol)
	state := f.State
	if state == "" {
		state = "expanded" // Cliq's default, should an answer leave it out
	}
	m.State = types.StringValue(state)
	m.ChatIDs, d = types.ListValueFrom(ctx, types.StringType, f.ChatIDs())
	diags.Append(d...)
	m.Chats, d = pinFolderChatsValue(f.Chats)
	diags.Append(d...)
	return diags
}

// pinFolderChatsValue is the chats attribute for chats.
func pinFolderChatsValue(chats []cliq.Chat) (types.List, diag.Diagnostics) {
	objType := types.ObjectType{AttrTypes: pinFolderChatAttrTypes}
	elems := make([]attr.Value, 0, len(chats))
	var diags diag.Diagnostics
	for _, ch := range chats {
		obj, d := types.ObjectValue(pinFolderChatAttrTypes, map[string]attr.Value{
			"chat_id":           types.StringValue(ch.ChatID),
			"chat_type":         types.StringValue(ch.ChatType),
			"name":              types.StringValue(ch.Name),
			"participant_count": types.Int64Value(int64(ch.ParticipantCount)),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	list, d := types.ListValue(objType, elems)
	diags.Append(d...)
	return list, diags
}

// pinFolderErrorDetail is the diagnostic detail of a client error. API errors already carry what
// the user can do about them; a vanished folder gets its own advice.
func pinFolderErrorDetail(err error) string {
	msg := err.Error()
	if errors.Is(err, cliq.ErrFolderNotFound) {
		msg += ". The folder was deleted outside Terraform: run terraform apply again to recreate it."
	}
	if errors.Is(err, context.DeadlineExceeded) {
		msg += ". The operation timed out; if Cliq's rate limit locked it, raise the timeouts block's values or retry later."
	}
	return msg
}

// pinFolderChatIDsPlanModifier keeps chat_ids as read when the configuration leaves them out: the
// provider then only reports the folder's chats and never changes them, so there must be no diff.
type pinFolderChatIDsPlanModifier struct{}

func (pinFolderChatIDsPlanModifier) Description(context.Context) string {
	return "When chat_ids is not configured, the planned value is the folder's chats as last read."
}

func (m pinFolderChatIDsPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (pinFolderChatIDsPlanModifier) PlanModifyList(_ context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if !req.ConfigValue.IsNull() || req.StateValue.IsNull() {
		return // configured (authoritative), or a new folder: known after apply
	}
	resp.PlanValue = req.StateValue
}

// pinFolderChatsPlanModifier keeps the chat details from the state unless the chats are changing:
// that is when chat_ids is configured and differs from what the folder holds.
type pinFolderChatsPlanModifier struct{}

func (pinFolderChatsPlanModifier) Description(context.Context) string {
	return "The chat details stay as read unless chat_ids changes."
}

func (m pinFolderChatsPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (pinFolderChatsPlanModifier) PlanModifyList(ctx context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.StateValue.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return // a new folder, or already the state's value (a refresh with nothing to change)
	}
	var configIDs, stateIDs types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("chat_ids"), &configIDs)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("chat_ids"), &stateIDs)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if configIDs.IsNull() || configIDs.Equal(stateIDs) {
		resp.PlanValue = req.StateValue
	}
}

// pinFolderUniqueStrings rejects a list of strings that holds a value twice, with a message that
// names the attribute (listvalidator.UniqueValues' does not).
type pinFolderUniqueStrings struct{}

func (pinFolderUniqueStrings) Description(context.Context) string {
	return "must not contain duplicates"
}

func (v pinFolderUniqueStrings) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v pinFolderUniqueStrings) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	seen := map[string]bool{}
	reported := map[string]bool{}
	for _, elem := range req.ConfigValue.Elements() {
		s, ok := elem.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		value := s.ValueString()
		if seen[value] && !reported[value] {
			reported[value] = true
			resp.Diagnostics.AddAttributeError(req.Path, "Duplicate List Value",
				fmt.Sprintf("Attribute %s %s, got %q more than once", req.Path, v.Description(ctx), value))
		}
		seen[value] = true
	}
}
