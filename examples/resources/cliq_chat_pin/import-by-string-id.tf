import {
  to = cliq_chat_pin.example
  id = "4000000020001/1488288613043522033"
}
