# Discover every chat folder of the account (Terraform 1.14+):
#   terraform query -generate-config-out=folders.tf
# writes an import block and a cliq_pin_folder resource for each one. The
# folders leave chat_ids out: list the pins with the cliq_chat_pin list
# resource in the same query to manage the folders' chats as well.
list "cliq_pin_folder" "all" {
  provider         = cliq
  include_resource = true
}
