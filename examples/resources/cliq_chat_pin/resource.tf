# chat_id is the id Cliq gives the chat: the last part of its URL when it is
# open in a browser (https://cliq.zoho.com/app/chats/<CHAT_ID>). For a channel
# it is the channel's CHAT_ID, not its CHANNEL_ID.

# Pin a channel to My Pins (folder_id defaults to "default").
resource "cliq_chat_pin" "announcements" {
  chat_id = "CT_1847392056173920481_P87610291-C4"
}

# A folder whose chats are managed by cliq_chat_pin resources: leave its
# chat_ids out, or it would undo these pins.
resource "cliq_pin_folder" "team" {
  title  = "Team"
  symbol = ":rocket:"
}

# Pin a direct message and a thread into the folder, the thread ("design")
# directly above the direct message ("platform").
resource "cliq_chat_pin" "platform" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "CT_1847392056173920481_748291635"
}

resource "cliq_chat_pin" "design" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "CT_1207124526552602256_60002085329-T-1291567019566818579"
  pin_above = cliq_chat_pin.platform.chat_id
}
