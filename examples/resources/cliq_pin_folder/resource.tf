# A folder whose chats Terraform manages: exactly these chats, in this order.
resource "cliq_pin_folder" "releases" {
  title  = "Releases"
  symbol = ":rocket:"
  state  = "expanded"
  chat_ids = [
    "1488288613043522033",
    "1488288613043522041",
  ]
}

# A collapsed folder whose chats are not managed by Terraform. On destroy,
# unpin its chats instead of moving them to My Pins.
resource "cliq_pin_folder" "archive" {
  title                = "Archive"
  state                = "collapsed"
  unpin_all_on_destroy = true
}
