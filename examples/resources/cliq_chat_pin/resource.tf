# Pin a chat to My Pins (folder_id defaults to "default").
resource "cliq_chat_pin" "announcements" {
  chat_id = "1488288613043522069"
}

# A folder whose chats are managed by cliq_chat_pin resources: leave its
# chat_ids out, or it would undo these pins.
resource "cliq_pin_folder" "team" {
  title  = "Team"
  symbol = ":rocket:"
}

# Pin two chats into the folder, "design" directly above "platform".
resource "cliq_chat_pin" "platform" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "1488288613043522081"
}

resource "cliq_chat_pin" "design" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "1488288613043522097"
  pin_above = cliq_chat_pin.platform.chat_id
}
