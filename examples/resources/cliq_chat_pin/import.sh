# A pin is imported as <folder_id>/<chat_id>; use "default" for My Pins.
terraform import cliq_chat_pin.example 4000000020001/1488288613043522033

# The chat id alone works when the chat is pinned in exactly one folder.
terraform import cliq_chat_pin.example 1488288613043522033
