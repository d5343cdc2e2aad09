# A folder whose chats Terraform manages: exactly these chats, in this order.
# Each id is the last part of the chat's URL in Cliq
# (https://cliq.zoho.com/app/chats/<CHAT_ID>); a channel's is its CHAT_ID.
resource "cliq_pin_folder" "releases" {
  title  = "Releases"
  symbol = ":rocket:"
  state  = "expanded"
  chat_ids = [
    "CT_1847392056173920481_P87610291-C4", # a channel
    "CT_1847392056173920481_55622663-B2",  # a bot
  ]
}

# A collapsed folder whose chats are not managed by Terraform. On destroy,
# unpin its chats instead of moving them to My Pins.
resource "cliq_pin_folder" "archive" {
  title                = "Archive"
  state                = "collapsed"
  unpin_all_on_destroy = true
}
