# Discover a whole sidebar, every chat folder and every pinned chat (Terraform 1.14+):
#   terraform query -generate-config-out=sidebar.tf
#   terraform plan   # N to import, 0 to add, 0 to change, 0 to destroy
#   terraform apply
# The generated folders leave chat_ids out, so the generated cliq_chat_pin
# resources alone manage which chats each folder holds, in today's order.
list "cliq_pin_folder" "folders" {
  provider         = cliq
  include_resource = true
}

list "cliq_chat_pin" "pins" {
  provider         = cliq
  include_resource = true
}
