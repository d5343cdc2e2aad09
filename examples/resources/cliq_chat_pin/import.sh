# A pin is imported as <folder_id>/<chat_id>; use "default" for My Pins.
terraform import cliq_chat_pin.design 4000000020001/1488288613043522097

# The chat id alone works when the chat is pinned in exactly one folder.
terraform import cliq_chat_pin.design 1488288613043522097
