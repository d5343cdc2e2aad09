# Alternatively, let each generated folder own its chats through chat_ids (an
# authoritative, ordered list), and generate cliq_chat_pin resources for the
# pins of My Pins only: a folder with chat_ids must not also have
# cliq_chat_pin resources.
list "cliq_pin_folder" "owning" {
  provider         = cliq
  include_resource = true
  config {
    include_chat_ids = true
  }
}

list "cliq_chat_pin" "my_pins" {
  provider         = cliq
  include_resource = true
  config {
    folder_id = "default"
  }
}
