# Adopt an existing folder by its category id (the cliq_pin_folders data
# source lists them). Leave chat_ids out of the adopted folder's
# configuration to keep its chats as they are.
import {
  to = cliq_pin_folder.archive
  id = "4000000020001"
}
