package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

var (
	_ datasource.DataSource              = (*chatsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*chatsDataSource)(nil)
)

// NewChatsDataSource returns the cliq_chats data source: the caller's chats found by name, type
// and the other filters of Cliq's chat list, so that configurations need not copy chat ids.
func NewChatsDataSource() datasource.DataSource { return &chatsDataSource{} }

type chatsDataSource struct {
	client *cliq.Client
}

type chatsModel struct {
	Name         types.String   `tfsdk:"name"`
	NameExact    types.String   `tfsdk:"name_exact"`
	Type         types.String   `tfsdk:"type"`
	Pinned       types.Bool     `tfsdk:"pinned"`
	ChatIDs      []types.String `tfsdk:"chat_ids"`
	ParentChatID types.String   `tfsdk:"parent_chat_id"`
	Chats        []chatsChatDTO `tfsdk:"chats"`
}

type chatsChatDTO struct {
	ChatID           types.String `tfsdk:"chat_id"`
	Name             types.String `tfsdk:"name"`
	ChatType         types.String `tfsdk:"chat_type"`
	ParticipantCount types.Int64  `tfsdk:"participant_count"`
	Pinned           types.Bool   `tfsdk:"pinned"`
}

// chatsTypes maps the data source's type values, which are the chat_type values chats carry, to
// the values of Cliq's type filter.
var chatsTypes = map[string]string{
	"direct_message": "dm",
	"channel":        "channel",
	"bot":            "bot",
	"thread":         "threads",
}

// chatsTypeNames are the type values in the order the documentation gives them.
var chatsTypeNames = []string{"direct_message", "channel", "bot", "thread"}

// chatsMaxCandidates is how many chats an error about name_exact lists.
const chatsMaxCandidates = 10

// chatsIDPattern is what a chat id in a filter may look like: Cliq's ids take several forms
// (digits, CT_…), but the chat list takes them comma-separated.
var chatsIDPattern = regexp.MustCompile(`^[^,\s]+$`)

const chatsIDMessage = "must be a Cliq chat id (as in the chat's browser URL), without commas or spaces"

func (d *chatsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_chats"
}

func (d *chatsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Finds the authenticated user's chats by name, type and other filters, so that configurations can pin chats by name instead of by id.",
		MarkdownDescription: "Finds the authenticated user's chats by name, type and other filters of Cliq's chat list, " +
			"so that a configuration can pin chats by name instead of copying ids out of a browser.\n\n" +
			"Set `name_exact` to insist on exactly one chat: the plan fails, listing the candidates, when no chat or several chats have that name. " +
			"With `name`, every chat whose name contains it is listed (none is not an error).\n\n" +
			"Every filter set is applied together. Cliq answers at most 100 chats and offers no paging: when 100 or more match, " +
			"the data source fails and asks for a narrower filter rather than return a list cut short.\n\n" +
			"Each distinct filter costs one request per Terraform run (a plan, an apply), shared by every `cliq_chats` with the same filter. " +
			"Cliq allows 30 a minute and locks the chat list for 10 minutes beyond that; the provider paces itself to stay under the limit.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only chats whose name contains this text, as Cliq matches it (`\"pro\"` finds `Project Alpha` and `Product Launch`). " +
					"Conflicts with `name_exact`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("name_exact")),
				},
			},
			"name_exact": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Exactly one chat, whose full name is this (case-sensitive). The plan fails when none or several of the chats " +
					"the other filters select have this name; the error lists up to 10 candidates with their ids and types. " +
					"Use `chats[0].chat_id` for its id. Conflicts with `name`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only chats of this type: `direct_message`, `channel`, `bot` or `thread` (the values of `chat_type`). " +
					"Cliq has no filter for group chats: find them by name.",
				Validators: []validator.String{chatsTypeValidator{}},
			},
			"pinned": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "`true`: only chats pinned in My Pins or in a chat folder; `false`: only chats pinned nowhere.",
			},
			"chat_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Only these chats (1 to 100 chat ids), for example to read the names and types of chats known by id.",
				Validators: []validator.List{
					listvalidator.SizeBetween(1, cliq.ChatsLimit),
					listvalidator.NoNullValues(),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(chatsIDPattern, chatsIDMessage)),
				},
			},
			"parent_chat_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the threads of this chat (its chat id).",
				Validators:          []validator.String{stringvalidator.RegexMatches(chatsIDPattern, chatsIDMessage)},
			},
			"chats": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The chats found, in Cliq's order. With `name_exact`, exactly one.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"chat_id": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Chat id. Usable as `chat_id` of `cliq_chat_pin` and in `chat_ids` of `cliq_pin_folder`.",
						},
						"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the chat."},
						"chat_type": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Type of chat, such as `direct_message`, `group_chat`, `channel`, `bot` or `thread`.",
						},
						"participant_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of participants."},
						"pinned": schema.BoolAttribute{
							Computed:            true,
							MarkdownDescription: "Whether the chat is pinned, in My Pins or in a chat folder, when it was read.",
						},
					},
				},
			},
		},
	}
}

func (d *chatsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (d *chatsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m chatsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := cliq.ChatFilter{
		Name:         m.Name.ValueString(),
		Type:         chatsTypes[m.Type.ValueString()],
		ParentChatID: m.ParentChatID.ValueString(),
	}
	if !m.NameExact.IsNull() {
		filter.Name = m.NameExact.ValueString() // Cliq matches a part: the exact name is picked below
	}
	if !m.Pinned.IsNull() {
		pinned := m.Pinned.ValueBool()
		filter.Pinned = &pinned
	}
	for _, id := range m.ChatIDs {
		filter.ChatIDs = append(filter.ChatIDs, id.ValueString())
	}
	chats, err := d.client.ListChats(ctx, filter)
	var tooMany *cliq.TooManyChatsError
	switch {
	case errors.As(err, &tooMany):
		resp.Diagnostics.AddError("Too many chats match",
			fmt.Sprintf("%v. Narrow the filter of this cliq_chats (%s): a longer name or name_exact, a type, pinned, chat_ids or parent_chat_id.",
				err, chatsFilterWords(m)))
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not list the chats", err.Error())
		return
	}
	if !m.NameExact.IsNull() {
		var exact []cliq.ListedChat
		for _, ch := range chats {
			if ch.Name == m.NameExact.ValueString() {
				exact = append(exact, ch)
			}
		}
		if len(exact) != 1 {
			resp.Diagnostics.AddAttributeError(path.Root("name_exact"), chatsExactSummary(len(exact)), chatsExactDetail(m, exact, chats))
			return
		}
		chats = exact
	}
	m.Chats = make([]chatsChatDTO, 0, len(chats))
	for _, ch := range chats {
		m.Chats = append(m.Chats, chatsChatDTO{
			ChatID:           types.StringValue(ch.ChatID),
			Name:             types.StringValue(ch.Name),
			ChatType:         types.StringValue(ch.ChatType),
			ParticipantCount: types.Int64Value(ch.ParticipantCount),
			Pinned:           types.BoolValue(ch.Pinned),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func chatsExactSummary(n int) string {
	if n == 0 {
		return "No chat has this name"
	}
	return "Several chats have this name"
}

// chatsExactDetail says why name_exact did not find exactly one chat, listing the candidates: the
// chats of that name when several have it, else those whose name contains it.
func chatsExactDetail(m chatsModel, exact, partial []cliq.ListedChat) string {
	name := m.NameExact.ValueString()
	var b strings.Builder
	if len(exact) > 1 {
		fmt.Fprintf(&b, "%d chats are named exactly %q (%s):\n%s\n", len(exact), name, chatsFilterWords(m), chatsCandidates(exact))
		b.WriteString("Pick one by its id with chat_ids, or tell them apart with type, pinned or parent_chat_id.")
		return b.String()
	}
	fmt.Fprintf(&b, "No chat is named exactly %q (%s).", name, chatsFilterWords(m))
	if len(partial) == 0 {
		b.WriteString(" No chat's name contains it either: check the spelling and the other filters, and that the authenticated user takes part in the chat.")
		return b.String()
	}
	fmt.Fprintf(&b, " Chats whose name contains it:\n%s\n", chatsCandidates(partial))
	b.WriteString("Set name_exact to one of these names (it is case-sensitive), or use name to list every chat whose name contains it.")
	return b.String()
}

// chatsCandidates lists at most chatsMaxCandidates chats, one a line, with their ids and types.
func chatsCandidates(chats []cliq.ListedChat) string {
	var lines []string
	for _, ch := range chats[:min(len(chats), chatsMaxCandidates)] {
		lines = append(lines, fmt.Sprintf("  - %q (chat_id %q, %s)", ch.Name, ch.ChatID, ch.ChatType))
	}
	if more := len(chats) - chatsMaxCandidates; more > 0 {
		lines = append(lines, fmt.Sprintf("  … and %d more", more))
	}
	return strings.Join(lines, "\n")
}

// chatsFilterWords describes the filter a cliq_chats was given, for error messages.
func chatsFilterWords(m chatsModel) string {
	var words []string
	add := func(attr string, v types.String) {
		if !v.IsNull() {
			words = append(words, fmt.Sprintf("%s = %q", attr, v.ValueString()))
		}
	}
	add("name", m.Name)
	add("name_exact", m.NameExact)
	add("type", m.Type)
	if !m.Pinned.IsNull() {
		words = append(words, fmt.Sprintf("pinned = %t", m.Pinned.ValueBool()))
	}
	if len(m.ChatIDs) > 0 {
		words = append(words, fmt.Sprintf("%d chat_ids", len(m.ChatIDs)))
	}
	add("parent_chat_id", m.ParentChatID)
	if len(words) == 0 {
		return "no filter"
	}
	return strings.Join(words, ", ")
}

// chatsTypeValidator accepts the data source's type values, and points from Cliq's own query
// values (dm, threads) to them.
type chatsTypeValidator struct{}

func (chatsTypeValidator) Description(context.Context) string {
	return `must be one of "direct_message", "channel", "bot" or "thread"`
}

func (v chatsTypeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v chatsTypeValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := req.ConfigValue.ValueString()
	if _, ok := chatsTypes[value]; ok {
		return
	}
	detail := fmt.Sprintf("Attribute %s %s, got: %q.", req.Path, v.Description(ctx), value)
	for _, name := range chatsTypeNames {
		if chatsTypes[name] == value || strings.EqualFold(name, value) {
			detail += fmt.Sprintf(" Use %q: the type values are those of chat_type.", name)
		}
	}
	if value == "group_chat" {
		detail += " Cliq has no filter for group chats: find them by name instead."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid chat type", detail)
}
