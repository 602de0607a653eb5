# frozen_string_literal: true

module Util
  # Formats a name.
  # Capitalized.
  def self.format(name)
    name.capitalize
  end
end

class Account::Ledger < Base
  def initialize(owner)
    @owner = owner
    @entries = []
  end

  # Adds an entry.
  def add(amount)
    raise ArgumentError, "negative" if amount.negative?
    @entries << amount
  end

  def empty_method
  end
end
